namespace McpCli.Cli;

/// <summary>
/// The command line or the user's input is wrong: exit <see cref="ExitCodes.Usage"/> with one line
/// on stderr and, for command-line mistakes, the usage of <see cref="Verb"/>.
/// </summary>
internal sealed class UsageException : Exception
{
    /// <summary>Creates the error; <paramref name="verb"/> picks the usage lines shown after it.</summary>
    public UsageException(string message, Type? verb = null, bool showUsage = true)
        : base(message)
    {
        Verb = verb;
        ShowUsage = showUsage;
    }

    /// <summary>The verb's options type, or null for errors before a verb is known.</summary>
    public Type? Verb { get; }

    /// <summary>False for bad interactive input (mismatched passwords), where usage lines do not help.</summary>
    public bool ShowUsage { get; }
}
