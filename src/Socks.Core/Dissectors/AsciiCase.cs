namespace Socks.Core.Dissectors;

/// <summary>
/// Case-insensitive comparison of protocol keywords (POP3 verbs and status indicators, later SMTP,
/// IMAP, FTP verbs), which are ASCII: only <c>a</c>..<c>z</c> are folded, so a non-ASCII byte never
/// matches a letter.
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
}
