using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Socks.Core.Logging;

/// <summary>
/// Builds log lines as ASCII bytes in a growable buffer: the shared field encoding of the access log
/// and the credentials log (docs/access-log.md, "Escaping"). Every value that came from the network is
/// escaped so that a line never contains a TAB, CR, LF or any byte outside printable ASCII except the
/// TAB separators and the final LF that this builder writes itself.
/// </summary>
internal sealed class LogLineBuilder
{
    /// <summary>The field separator.</summary>
    public const byte Separator = (byte)'\t';

    /// <summary>Written for an absent value.</summary>
    public const byte Absent = (byte)'-';

    // The one escaping rule, in its ASCII-only form with the documented short escapes (docs/access-log.md).
    private const EscapeOptions Escaping = EscapeOptions.AsciiOnly | EscapeOptions.ShortEscapes | EscapeOptions.LoneDash;

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    private byte[] _buffer;

    /// <summary>Creates a builder with room for <paramref name="initialCapacity"/> bytes before it grows.</summary>
    public LogLineBuilder(int initialCapacity = 512)
    {
        _buffer = new byte[Math.Max(initialCapacity, 64)];
    }

    /// <summary>Bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    /// <summary>Forgets everything written.</summary>
    public void Clear() => Length = 0;

    /// <summary>Forgets everything written after <paramref name="length"/> bytes (to undo a half-written line).</summary>
    public void Truncate(int length) => Length = Math.Min(Length, length);

    /// <summary>The text written so far (always ASCII).</summary>
    public override string ToString() => System.Text.Encoding.ASCII.GetString(WrittenSpan);

    /// <summary>Appends the TAB that separates fields.</summary>
    public void AppendSeparator() => AppendByte(Separator);

    /// <summary>Appends the LF that ends a record.</summary>
    public void AppendNewLine() => AppendByte((byte)'\n');

    /// <summary>Appends <c>-</c>, the mark of an absent value.</summary>
    public void AppendAbsent() => AppendByte(Absent);

    /// <summary>Appends trusted ASCII text (a constant of ours, never network data).</summary>
    public void AppendAscii(string text)
    {
        var span = GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        Length += text.Length;
    }

    /// <summary>Appends a UTC timestamp as <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> (milliseconds truncated).</summary>
    public void AppendTimestamp(DateTimeOffset time)
    {
        var span = GetSpan(32);
        time.UtcDateTime.TryFormat(span, out var written, TimestampFormat, CultureInfo.InvariantCulture);
        Length += written;
    }

    /// <summary>Appends a decimal integer.</summary>
    public void AppendNumber(long value)
    {
        var span = GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        Length += written;
    }

    /// <summary>Appends a byte as two upper-case hex digits.</summary>
    public void AppendHex2(byte value)
    {
        var span = GetSpan(2);
        span[0] = HexDigit(value >> 4);
        span[1] = HexDigit(value & 0xF);
        Length += 2;
    }

    /// <summary>
    /// Appends <c>addr:port</c>, or <c>[addr]:port</c> for IPv6. An IPv4-mapped IPv6 address (what a
    /// dual-mode socket reports for an IPv4 peer) is written as the plain IPv4 address it stands for.
    /// </summary>
    public void AppendEndPoint(IPEndPoint endPoint)
    {
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        if (v6)
        {
            AppendByte((byte)'[');
        }

        var span = GetSpan(64);
        address.TryFormat(span, out var written);
        Length += written;
        if (v6)
        {
            AppendByte((byte)']');
        }

        AppendByte((byte)':');
        AppendNumber(endPoint.Port);
    }

    /// <summary>
    /// Appends <c>host:port</c> for a host given as raw bytes, escaped; a host that contains <c>:</c>
    /// (an IPv6 literal) is put in brackets so the port stays the part after the last <c>:</c>.
    /// </summary>
    public void AppendHostPort(ReadOnlySpan<byte> host, int port)
    {
        var bracket = host.Contains((byte)':');
        if (bracket)
        {
            AppendByte((byte)'[');
        }

        AppendEscaped(host);
        if (bracket)
        {
            AppendByte((byte)']');
        }

        AppendByte((byte)':');
        AppendNumber(port);
    }

    /// <summary>Appends raw bytes escaped, or <c>-</c> when <paramref name="value"/> is null.</summary>
    public void AppendEscapedOrAbsent(byte[]? value)
    {
        if (value is null)
        {
            AppendAbsent();
        }
        else
        {
            AppendEscaped(value);
        }
    }

    /// <summary>
    /// Appends raw bytes escaped: printable ASCII other than <c>\</c> is kept, <c>\</c> becomes
    /// <c>\\</c>, TAB <c>\t</c>, LF <c>\n</c>, CR <c>\r</c>, and every other byte (controls, DEL and all
    /// bytes &gt;= 0x80, so also any UTF-8, valid or not) <c>\xHH</c>. A value that is exactly <c>-</c> is
    /// written <c>\x2D</c> so it cannot be mistaken for an absent value. An empty value writes nothing.
    /// </summary>
    public void AppendEscaped(ReadOnlySpan<byte> value)
    {
        var span = GetSpan(value.Length * HostileText.MaxExpansion);
        Length += HostileText.Escape(value, span, Escaping);
    }

    private void AppendByte(byte b)
    {
        GetSpan(1)[0] = b;
        Length++;
    }

    private Span<byte> GetSpan(int sizeHint)
    {
        if (_buffer.Length - Length < sizeHint)
        {
            var grown = new byte[Math.Max(_buffer.Length * 2, Length + sizeHint)];
            _buffer.AsSpan(0, Length).CopyTo(grown);
            _buffer = grown;
        }

        return _buffer.AsSpan(Length);
    }

    private static byte HexDigit(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);
}
