namespace Socks.Core.Dissectors;

/// <summary>
/// Case-insensitive comparison of protocol keywords (POP3 verbs and status indicators, later SMTP,
/// IMAP, FTP verbs), which are ASCII: only <c>a</c>..<c>z</c> are folded, so a non-ASCII byte never
/// matches a letter; plus the two small ASCII parsing helpers the dissectors share (verb split, number).
/// </summary>
internal static class AsciiCase
{
    /// <summary>Whether <paramref name="value"/> is <paramref name="upperAscii"/>, ignoring ASCII case.</summary>
    /// <param name="value">The bytes from the wire.</param>
    /// <param name="upperAscii">The keyword, in upper case.</param>
    /// <returns>True on a match.</returns>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> upperAscii) =>
        value.Length == upperAscii.Length && StartsWithIgnoreCase(value, upperAscii);

    /// <summary>Whether <paramref name="value"/> starts with <paramref name="upperAscii"/>, ignoring ASCII case.</summary>
    /// <param name="value">The bytes from the wire.</param>
    /// <param name="upperAscii">The keyword, in upper case.</param>
    /// <returns>True on a match.</returns>
    public static bool StartsWithIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> upperAscii)
    {
        if (value.Length < upperAscii.Length)
        {
            return false;
        }

        for (var i = 0; i < upperAscii.Length; i++)
        {
            var b = value[i];
            if (b is >= (byte)'a' and <= (byte)'z')
            {
                b -= 0x20;
            }

            if (b != upperAscii[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits a command line at its first space: <c>VERB argument</c>.</summary>
    /// <param name="line">The line.</param>
    /// <param name="verb">The bytes before the first space (the whole line without one).</param>
    /// <param name="argument">The bytes after it (empty without one).</param>
    /// <returns>Whether the line has a space.</returns>
    public static bool SplitVerb(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> verb, out ReadOnlySpan<byte> argument)
    {
        var space = line.IndexOf((byte)' ');
        verb = space < 0 ? line : line[..space];
        argument = space < 0 ? [] : line[(space + 1)..];
        return space >= 0;
    }

    /// <summary>Parses an unsigned number of ASCII digits (decimal, or hexadecimal in either case).</summary>
    /// <param name="text">The digits, nothing else.</param>
    /// <param name="hex">Whether they are hexadecimal.</param>
    /// <param name="maxDigits">The most digits accepted (keeps the value in range).</param>
    /// <param name="value">The number.</param>
    /// <returns>False if empty, too long, or not all digits.</returns>
    public static bool TryParseNumber(ReadOnlySpan<byte> text, bool hex, int maxDigits, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > maxDigits)
        {
            return false;
        }

        foreach (var b in text)
        {
            int digit;
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                digit = b - '0';
            }
            else if (hex && (b | 0x20) is >= 'a' and <= 'f')
            {
                digit = (b | 0x20) - 'a' + 10;
            }
            else
            {
                return false;
            }

            value = (value * (hex ? 16 : 10)) + digit;
        }

        return true;
    }
}
