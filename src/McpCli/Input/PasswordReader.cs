using System.Text;
using McpCli.Cli;

namespace McpCli.Input;

/// <summary>Where <c>add-user</c> gets a password that was not given on the command line.</summary>
internal static class PasswordReader
{
    /// <summary>
    /// Reads the first line of <paramref name="stdin"/> (<c>--password-stdin</c>); the line break
    /// (LF or CR LF) is not part of the password.
    /// </summary>
    /// <returns>The password, or null when standard input is empty.</returns>
    public static string? FromStdin(TextReader stdin) => stdin.ReadLine();

    /// <summary>
    /// Asks on the terminal twice, without echo, with prompts on <paramref name="prompt"/> (stderr).
    /// </summary>
    /// <exception cref="UsageException">The two entries differ.</exception>
    public static string FromTerminal(IConsole console, TextWriter prompt)
    {
        console.HideTypedKeys();
        var first = ReadHidden(console, prompt, "Password: ");
        var second = ReadHidden(console, prompt, "Retype password: ");
        if (!string.Equals(first, second, StringComparison.Ordinal))
        {
            throw new UsageException("the passwords do not match", showUsage: false);
        }

        return first;
    }

    /// <summary>Reads one line of keys without echo: Enter or Ctrl+D ends it, Backspace deletes, Ctrl+U clears.</summary>
    internal static string ReadHidden(IConsole console, TextWriter prompt, string label)
    {
        prompt.Write(label);
        prompt.Flush();
        var text = new StringBuilder();
        while (true)
        {
            var key = console.ReadKey(intercept: true);
            // Enter ends the line; so does Ctrl+D, which a terminal user presses for "end of input".
            if (key.Key == ConsoleKey.Enter || key.KeyChar is '\r' or '\n' or '\x04')
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace || key.KeyChar is '\b' or '\x7f')
            {
                RemoveLastCharacter(text);
            }
            else if (key.KeyChar == '\x15' || (key.Key == ConsoleKey.U && key.Modifiers.HasFlag(ConsoleModifiers.Control)))
            {
                text.Clear();
            }
            else if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }

            // Other keys (arrows, function keys, Tab, Escape) carry no password character.
        }

        // The Enter key was not echoed either: end the prompt line ourselves.
        prompt.WriteLine();
        return text.ToString();
    }

    private static void RemoveLastCharacter(StringBuilder text)
    {
        if (text.Length == 0)
        {
            return;
        }

        // Remove a whole surrogate pair, never half of one.
        var remove = text.Length >= 2 && char.IsLowSurrogate(text[^1]) && char.IsHighSurrogate(text[^2]) ? 2 : 1;
        text.Remove(text.Length - remove, remove);
    }
}
