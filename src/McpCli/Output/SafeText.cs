using System.Buffers;
using System.Globalization;
using System.Text;

namespace McpCli.Output;

/// <summary>
/// Turns bytes from the server (user names) into text that is safe to print on a terminal and
/// unambiguous: valid UTF-8 prints as itself, everything else becomes a visible escape.
/// </summary>
/// <remarks>
/// Escapes: a byte that is not part of valid UTF-8 -> <c>\xHH</c>; an ASCII control character
/// (C0, DEL) -> <c>\xHH</c>; other control, format (bidi overrides, zero-width) and line/paragraph
/// separator characters -> <c>\uHHHH</c> (or <c>\UHHHHHHHH</c> above U+FFFF); a backslash ->
/// <c>\\</c>, so an escape can never be confused with a name that really contains one.
/// </remarks>
internal static class SafeText
{
    /// <summary>Escapes a UTF-8 byte string for display.</summary>
    public static string Escape(ReadOnlySpan<byte> utf8)
    {
        var builder = new StringBuilder(utf8.Length);
        while (!utf8.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            if (status != OperationStatus.Done)
            {
                // Invalid or truncated sequence: show each offending byte, then resynchronise.
                foreach (var b in utf8[..consumed])
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\x{b:X2}");
                }
            }
            else
            {
                AppendRune(builder, rune);
            }

            utf8 = utf8[consumed..];
        }

        return builder.ToString();
    }

    /// <summary>Escapes a string (for example a user name from the command line) for display.</summary>
    public static string Escape(string text) => Escape(Encoding.UTF8.GetBytes(text));

    private static void AppendRune(StringBuilder builder, Rune rune)
    {
        if (rune.Value == '\\')
        {
            builder.Append(@"\\");
        }
        else if (rune.IsAscii && Rune.IsControl(rune))
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:X2}");
        }
        else if (IsUnsafe(rune))
        {
            builder.Append(rune.IsBmp
                ? string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:X4}")
                : string.Create(CultureInfo.InvariantCulture, $"\\U{rune.Value:X8}"));
        }
        else
        {
            builder.Append(rune.ToString());
        }
    }

    // Control characters drive the terminal; format characters (U+202E RIGHT-TO-LEFT OVERRIDE,
    // U+200B ZERO WIDTH SPACE, ...) make one name look like another; separators break lines.
    private static bool IsUnsafe(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or
        UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
