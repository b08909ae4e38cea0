using McpCli.Input;

namespace McpCli.Tests.Support;

/// <summary>A terminal whose keys are scripted: each character of the script is one key press.</summary>
internal sealed class ScriptedConsole(string keys) : IConsole
{
    private int _next;

    /// <summary>The keys read, with the intercept flag each was read with.</summary>
    public List<bool> Intercepts { get; } = [];

    /// <summary>Whether <see cref="HideTypedKeys"/> was called before the first key was read.</summary>
    public bool HiddenBeforeFirstKey { get; private set; }

    /// <inheritdoc />
    public bool IsInputRedirected => false;

    /// <inheritdoc />
    public void HideTypedKeys() => HiddenBeforeFirstKey |= _next == 0;

    /// <inheritdoc />
    public ConsoleKeyInfo ReadKey(bool intercept)
    {
        if (_next >= keys.Length)
        {
            throw new InvalidOperationException("the test script ran out of keys");
        }

        Intercepts.Add(intercept);
        var c = keys[_next++];
        var key = c switch
        {
            '\n' or '\r' => ConsoleKey.Enter,
            '\b' => ConsoleKey.Backspace,
            _ => ConsoleKey.NoName,
        };
        return new ConsoleKeyInfo(c, key, shift: false, alt: false, control: c == '\x15');
    }
}
