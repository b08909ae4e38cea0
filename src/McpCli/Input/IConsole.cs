namespace McpCli.Input;

/// <summary>The terminal, for reading a password without echo. Tests supply scripted keys.</summary>
internal interface IConsole
{
    /// <summary>True when standard input is a file or pipe, not a terminal.</summary>
    bool IsInputRedirected { get; }

    /// <summary>Reads one key from the terminal; with <paramref name="intercept"/> it is not echoed.</summary>
    ConsoleKeyInfo ReadKey(bool intercept);
}
