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
    public ConsoleKeyInfo ReadKey(bool intercept) => Console.ReadKey(intercept);
}
