namespace Socks.Core.Dissectors.Imap;

/// <summary>
/// Splits IMAP client commands into their arguments (RFC 9051 §4): atoms, quoted strings
/// (<c>"..."</c> with <c>\\</c> and <c>\"</c> escapes) and literals (<c>{n}</c> or the non-synchronizing
/// <c>{n+}</c>, RFC 7888), whose <c>n</c> octets follow the line end and may span lines.
/// </summary>
/// <remarks>
/// Bounded: a command longer than <c>maxLength</c> bytes in all (literals included) is refused. Only
/// the arguments of the command in progress are kept. A mutable struct; keep it in a field.
/// </remarks>
internal struct ImapCommandReader
{
    private readonly int _maxLength;
    private List<byte[]>? _arguments;
    private int _length;
    private byte[]? _literal;
    private int _literalFilled;

    public ImapCommandReader(int maxLength)
    {
        _maxLength = maxLength;
    }

    /// <summary>The outcome of reading a line.</summary>
    public enum Result
    {
        /// <summary>The command is complete: see the arguments.</summary>
        Complete,

        /// <summary>The command goes on (a literal follows).</summary>
        Continues,

        /// <summary>The command is longer than the limit.</summary>
        TooLong,
    }

    /// <summary>Reads one client line (without its line end).</summary>
    /// <param name="line">The line.</param>
    /// <param name="arguments">On <see cref="Result.Complete"/>, the tag, the command name and its arguments.</param>
    /// <returns>Whether the command is complete.</returns>
    public Result Read(ReadOnlySpan<byte> line, out List<byte[]> arguments)
    {
        arguments = _arguments ??= [];
        _length += line.Length + 2;
        if (_length > _maxLength)
        {
            Reset();
            return Result.TooLong;
        }

        if (_literal is { } literal)
        {
            var need = literal.Length - _literalFilled;
            if (line.Length < need)
            {
                // The literal holds a line end: keep it as CRLF.
                line.CopyTo(literal.AsSpan(_literalFilled));
                _literalFilled += line.Length;
                var crlf = Math.Min(2, literal.Length - _literalFilled);
                "\r\n"u8[..crlf].CopyTo(literal.AsSpan(_literalFilled));
                _literalFilled += crlf;
                return Result.Continues;
            }

            line[..need].CopyTo(literal.AsSpan(_literalFilled));
            arguments.Add(literal);
            _literal = null;
            line = line[need..];
        }

        while (true)
        {
            line = line.TrimStart((byte)' ');
            if (line.IsEmpty)
            {
                _length = 0;
                return Result.Complete;
            }

            if (line[0] == (byte)'"')
            {
                arguments.Add(ReadQuoted(ref line));
                continue;
            }

            if (line[0] == (byte)'{' && TryReadLiteralLength(line, out var size))
            {
                if (size > _maxLength)
                {
                    Reset();
                    return Result.TooLong;
                }

                if (size == 0)
                {
                    arguments.Add([]);
                    line = [];
                    continue;
                }

                _literal = new byte[size];
                _literalFilled = 0;
                return Result.Continues;
            }

            var end = line.IndexOf((byte)' ');
            arguments.Add((end < 0 ? line : line[..end]).ToArray());
            line = end < 0 ? [] : line[end..];
        }
    }

    /// <summary>Forgets the command in progress.</summary>
    public void Reset()
    {
        _arguments?.Clear();
        _literal = null;
        _literalFilled = 0;
        _length = 0;
    }

    /// <summary>Drops the argument list once its command was handled.</summary>
    public void Done() => _arguments?.Clear();

    private static byte[] ReadQuoted(ref ReadOnlySpan<byte> line)
    {
        var value = new List<byte>(line.Length);
        var i = 1;
        for (; i < line.Length; i++)
        {
            var b = line[i];
            if (b == (byte)'\\' && i + 1 < line.Length)
            {
                value.Add(line[++i]);
            }
            else if (b == (byte)'"')
            {
                i++;
                break;
            }
            else
            {
                value.Add(b);
            }
        }

        line = line[i..];
        return [.. value];
    }

    /// <summary>A literal announcement ends the line: <c>{digits}</c> or <c>{digits+}</c>.</summary>
    private static bool TryReadLiteralLength(ReadOnlySpan<byte> line, out int size)
    {
        size = 0;
        if (line[^1] != (byte)'}')
        {
            return false;
        }

        var digits = line[1..^1];
        if (!digits.IsEmpty && digits[^1] == (byte)'+')
        {
            digits = digits[..^1];
        }

        if (!AsciiCase.TryParseNumber(digits, hex: false, maxDigits: 9, out var value))
        {
            return false;
        }

        size = (int)value;
        return true;
    }
}
