namespace McpCli.Cli;

/// <summary>What the command line asks for, decided before CommandLineParser sees it.</summary>
internal abstract record Invocation;

/// <summary>Print help to stdout: for one verb, or the overview when <see cref="Verb"/> is null.</summary>
internal sealed record HelpInvocation(Type? Verb) : Invocation;

/// <summary>Print the version to stdout.</summary>
internal sealed record VersionInvocation : Invocation;

/// <summary>Print the completion script for <see cref="Shell"/> (bash or zsh) to stdout.</summary>
internal sealed record CompletionInvocation(string Shell) : Invocation;

/// <summary>Parse and run a verb; <see cref="Args"/> starts with the verb name.</summary>
internal sealed record RunInvocation(Type Verb, string[] Args) : Invocation;
