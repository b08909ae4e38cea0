using McpCli;
using McpCli.Input;

// Everything, including the parser configuration and the verb-to-command mapping, is in App so
// tests can run it in-process with their own streams; this file only binds the real console and environment.
return await App.RunAsync(args, Console.In, Console.Out, Console.Error, SystemConsole.Instance, environment: Environment.GetEnvironmentVariable);
