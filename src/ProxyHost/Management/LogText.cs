using System.Buffers;
using System.Globalization;
using System.Text;

namespace ProxyHost.Management;

/// <summary>Makes client-chosen bytes (user names) safe to put into a log line.</summary>
internal static class LogText
{
    /// <summary>
    /// Renders a user name for the log: well-formed UTF-8 stays readable; control characters, format characters
    /// (which could reorder or hide text, e.g. U+202E), line and paragraph separators, backslashes and double quotes
    /// are escaped as <c>\xNN</c> or <c>\u{NNNN}</c>, and bytes that are not UTF-8 as <c>\xNN</c>. The result is
    /// one line that cannot forge another log entry, and different names give different texts.
    /// </summary>
    /// <param name="name">The raw name.</param>
    /// <returns>The escaped text, without quotes around it.</returns>
    public static string EscapeName(ReadOnlySpan<byte> name)
    {
        var text = new StringBuilder(name.Length);
        while (!name.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(name, out var rune, out var consumed);
            if (status != OperationStatus.Done)
            {
                // Ill-formed or truncated sequence: escape its bytes one at a time.
                for (var i = 0; i < consumed; i++)
                {
                    AppendByte(text, name[i]);
                }

                name = name[consumed..];
                continue;
            }

            if (rune.IsAscii && (rune.Value < 0x20 || rune.Value == 0x7F || rune.Value == '\\' || rune.Value == '"'))
            {
                AppendByte(text, (byte)rune.Value);
            }
            else if (NeedsEscape(rune))
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{{{rune.Value:X4}}}");
            }
            else
            {
                text.Append(rune.ToString());
            }

            name = name[consumed..];
        }

        return text.ToString();
    }

    private static bool NeedsEscape(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
        or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    private static void AppendByte(StringBuilder text, byte value) =>
        text.Append(CultureInfo.InvariantCulture, $"\\x{value:X2}");
}
