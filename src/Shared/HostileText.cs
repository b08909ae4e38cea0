using System.Buffers;
using System.Globalization;
using System.Text;

namespace Socks.Shared;

/// <summary>
/// The one rule for writing bytes a peer chose (user names, hosts, POP3 credentials) into a log line or onto a
/// terminal: the result is one line that cannot forge another entry, cannot drive the terminal or reorder text,
/// and different inputs give different texts.
/// </summary>
/// <remarks>
/// <para>One dialect: each byte that must be escaped becomes <c>\xHH</c> (two upper-case hex digits). Those bytes
/// are the bytes of ill-formed UTF-8, the ASCII controls and DEL, the backslash (so every backslash in the result
/// starts an escape), and every UTF-8 byte of a dangerous code point: other control characters (C1), format
/// characters (U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE, ...), line and paragraph separators,
/// private-use and unassigned code points. Any other well-formed UTF-8 is kept as it is.</para>
/// <para>The places that write such text add their own rules through <see cref="EscapeOptions"/>.</para>
/// </remarks>
internal static class HostileText
{
    /// <summary>The most bytes one input byte can become (<c>\xHH</c>); size a destination for <see cref="Escape(ReadOnlySpan{byte}, Span{byte}, EscapeOptions)"/> with it.</summary>
    public const int MaxExpansion = 4;

    // Above this the string forms rent their scratch buffer instead of using the stack.
    private const int StackLimit = 1024;

    /// <summary>Escapes <paramref name="value"/> into <paramref name="destination"/>.</summary>
    /// <param name="value">The raw bytes.</param>
    /// <param name="destination">Where the escaped bytes go: UTF-8 (ASCII with <see cref="EscapeOptions.AsciiOnly"/>); at least <see cref="MaxExpansion"/> times as long as <paramref name="value"/>.</param>
    /// <param name="options">The extra rules of the caller's format.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int Escape(ReadOnlySpan<byte> value, Span<byte> destination, EscapeOptions options)
    {
        if (destination.Length < value.Length * MaxExpansion)
        {
            throw new ArgumentException("The destination must hold MaxExpansion bytes per input byte.", nameof(destination));
        }

        if ((options & EscapeOptions.LoneDash) != 0 && value.Length == 1 && value[0] == (byte)'-')
        {
            return WriteHex(destination, value[0]);
        }

        var n = 0;
        var i = 0;
        while (i < value.Length)
        {
            var b = value[i];
            if (b < 0x80)
            {
                n += WriteAscii(destination[n..], b, options);
                i++;
                continue;
            }

            var consumed = 1;
            var escape = true;
            if ((options & EscapeOptions.AsciiOnly) == 0)
            {
                // Ill-formed or truncated: escape the bytes of the invalid sequence one by one, then resynchronise.
                var status = Rune.DecodeFromUtf8(value[i..], out var rune, out consumed);
                escape = status != OperationStatus.Done || IsDangerous(rune);
            }

            foreach (var octet in value.Slice(i, consumed))
            {
                if (escape)
                {
                    n += WriteHex(destination[n..], octet);
                }
                else
                {
                    destination[n++] = octet;
                }
            }

            i += consumed;
        }

        return n;
    }

    /// <summary>Escapes <paramref name="value"/> into a string.</summary>
    /// <param name="value">The raw bytes.</param>
    /// <param name="options">The extra rules of the caller's format.</param>
    /// <returns>The escaped text.</returns>
    public static string Escape(ReadOnlySpan<byte> value, EscapeOptions options = EscapeOptions.None)
    {
        var size = value.Length * MaxExpansion;
        byte[]? rented = null;
        Span<byte> buffer = size <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            var written = Escape(value, buffer, options);

            // Kept bytes are well-formed UTF-8 and escapes are ASCII, so this decoding loses nothing.
            return Encoding.UTF8.GetString(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Escapes a string (its UTF-8 bytes) into a string.</summary>
    /// <param name="text">The text.</param>
    /// <param name="options">The extra rules of the caller's format.</param>
    /// <returns>The escaped text.</returns>
    public static string Escape(string text, EscapeOptions options = EscapeOptions.None) =>
        Escape(Encoding.UTF8.GetBytes(text), options);

    /// <summary>
    /// True for a code point that must not be shown as itself: control characters drive a terminal, format
    /// characters make one name look like another, separators break lines, and private-use and unassigned code
    /// points have no agreed look.
    /// </summary>
    /// <param name="rune">The code point.</param>
    /// <returns>True when its bytes are escaped.</returns>
    public static bool IsDangerous(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
        or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    private static int WriteAscii(Span<byte> destination, byte b, EscapeOptions options)
    {
        if ((options & EscapeOptions.ShortEscapes) != 0)
        {
            var letter = b switch
            {
                (byte)'\\' => (byte)'\\',
                (byte)'\t' => (byte)'t',
                (byte)'\n' => (byte)'n',
                (byte)'\r' => (byte)'r',
                _ => (byte)0,
            };
            if (letter != 0)
            {
                destination[0] = (byte)'\\';
                destination[1] = letter;
                return 2;
            }
        }

        if (b < 0x20 || b == 0x7F || b == (byte)'\\' || (b == (byte)'"' && (options & EscapeOptions.Quote) != 0))
        {
            return WriteHex(destination, b);
        }

        destination[0] = b;
        return 1;
    }

    private static int WriteHex(Span<byte> destination, byte b)
    {
        destination[0] = (byte)'\\';
        destination[1] = (byte)'x';
        destination[2] = HexDigit(b >> 4);
        destination[3] = HexDigit(b & 0xF);
        return 4;
    }

    private static byte HexDigit(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);
}
