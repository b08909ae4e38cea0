namespace McpCli.Input;

/// <summary>The terminal, for reading a password without echo. Tests supply scripted keys.</summary>
internal interface IConsole
{
    /// <summary>True when standard input is a file or pipe, not a terminal.</summary>
    bool IsInputRedirected { get; }

    /// <summary>
    /// Stops the terminal from echoing keys from now on (until the process ends), so keys typed
    /// before the first <see cref="ReadKey"/> are not shown either.
    /// </summary>
    void HideTypedKeys();

    /// <summary>Reads one key from the terminal; with <paramref name="intercept"/> it is not echoed.</summary>
    ConsoleKeyInfo ReadKey(bool intercept);
}
