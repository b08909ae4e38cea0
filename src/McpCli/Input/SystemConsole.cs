namespace McpCli.Input;

/// <summary><see cref="IConsole"/> over <see cref="Console"/>.</summary>
internal sealed class SystemConsole : IConsole
{
    /// <summary>The process's console.</summary>
    public static readonly SystemConsole Instance = new();

    private SystemConsole()
    {
    }

    /// <inheritdoc />
    public bool IsInputRedirected => Console.IsInputRedirected;

    /// <inheritdoc />
    /// <remarks>
    /// On Unix, .NET switches the terminal to no-echo, non-canonical mode the first time the
    /// console is used for key input and echoes by itself from then on (Console.ReadLine);
    /// KeyAvailable is the side-effect-free way to get there. Without it, a key typed between
    /// the prompt and the first ReadKey is echoed by the terminal driver.
    /// </remarks>
    public void HideTypedKeys() => _ = Console.KeyAvailable;

    /// <inheritdoc />
    public ConsoleKeyInfo ReadKey(bool intercept) => Console.ReadKey(intercept);
}
