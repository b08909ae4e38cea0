using McpCli.Input;

namespace McpCli.Tests.Support;

/// <summary>Runs <see cref="App.RunAsync"/> in this process with string streams (real sockets still).</summary>
internal static class InProcess
{
    /// <summary>Runs mcpctl's entry point; <paramref name="console"/> null means "no terminal".</summary>
    public static async Task<RunResult> RunAsync(string[] args, string stdin = "", IConsole? console = null)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = await App.RunAsync(args, new StringReader(stdin), stdout, stderr, console).WaitAsync(Mcpctl.Limit);
        var result = new RunResult(code, stdout.ToString(), stderr.ToString());
        Mcpctl.AssertNoStackTrace(result);
        return result;
    }
}
