using System.Buffers;

namespace Socks.Core.Dissectors;

/// <summary>
/// Assembles the lines of one direction of a line-based protocol (POP3, SMTP, IMAP, FTP, HTTP headers)
/// from chunks split anywhere. LF ends a line, and a CR just before it is dropped, so CRLF and bare LF
/// both end a line; a CR anywhere else is part of the line. Protocol-neutral: it knows nothing of what
/// the lines mean.
/// </summary>
/// <remarks>
/// <para>Bounded memory: at most one partial line is kept, in a buffer of <c>maxLineLength</c> bytes
/// rented from the shared pool only while a line is split across chunks, and given back once that line
/// has been used. A line found whole in one chunk is returned as a slice of the chunk, without a copy.
/// A line longer than <c>maxLineLength</c> bytes (its CRLF or LF included) is reported as
/// <see cref="OperationStatus.InvalidData"/> as soon as it is known to be too long, before buffering
/// more of it.</para>
/// <para>A mutable struct: keep it in a field and call it through that field (or a <c>ref</c> to it),
/// never through a copy. Not thread-safe: one direction, one caller at a time.</para>
/// </remarks>
internal struct LineAssembler
{
    private readonly int _maxLineLength;

    // Holds the partial line; rented only while a line is split across chunks. With _length == 0 it
    // holds the line last returned, which the caller has used by the time it calls again.
    private byte[]? _buffer;
    private int _length;

    // Dropping bytes up to the next LF (resuming in the middle of a line after bytes went by unseen).
    private bool _discarding;

    // Bytes went by unparsed (see Skip); the last of them was an LF, so parsing can resume at once.
    private bool _skipped;
    private bool _skippedToLineEnd;

    // Bytes still to let by unparsed before the next line (see PassOpaque).
    private long _opaque;

    /// <summary>Creates an assembler for lines of at most <paramref name="maxLineLength"/> bytes, line end included.</summary>
    /// <param name="maxLineLength">The longest line accepted, CRLF (or LF) included; at least 2.</param>
    public LineAssembler(int maxLineLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 2);
        _maxLineLength = maxLineLength;
    }

    /// <summary>The longest line accepted, line end included.</summary>
    public readonly int MaxLineLength => _maxLineLength;

    /// <summary>Bytes of the partial line kept so far (0 between lines).</summary>
    public readonly int BufferedLength => _length;

    /// <summary>Bytes still to let by unparsed before the next line.</summary>
    public readonly long OpaqueRemaining => _opaque;

    /// <summary>
    /// Lets the next <paramref name="count"/> bytes go by unparsed (they are not lines: an HTTP body of
    /// known length); <see cref="TryReadLine"/> resumes with the byte after them. Nothing is buffered.
    /// </summary>
    /// <param name="count">How many bytes; at least 0.</param>
    public void PassOpaque(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _opaque += count;
    }

    /// <summary>
    /// Notes that <paramref name="data"/> went by without being parsed (the caller is not watching at
    /// the moment). Costs two field writes; no copy, no lock. The next <see cref="Resume"/> starts
    /// again at a line boundary.
    /// </summary>
    /// <param name="data">The chunk that was skipped; not empty.</param>
    public void Skip(ReadOnlySpan<byte> data)
    {
        _skipped = true;
        _skippedToLineEnd = data[^1] == (byte)'\n';
    }

    /// <summary>
    /// If bytes were skipped since the last call, forgets the partial line and, unless the skipped bytes
    /// ended with an LF, drops the bytes up to the next LF, so that the next line returned is a whole one.
    /// </summary>
    /// <returns>True if bytes had been skipped (the caller's view of the dialogue may have gaps).</returns>
    public bool Resume()
    {
        if (!_skipped)
        {
            return false;
        }

        _skipped = false;
        _opaque = 0;
        Release();
        _discarding = !_skippedToLineEnd;
        return true;
    }

    /// <summary>
    /// Takes the next line out of <paramref name="data"/>, joining it to the partial line kept from
    /// earlier chunks. Call again (with the rest of the chunk) until it returns something other than
    /// <see cref="OperationStatus.Done"/>.
    /// </summary>
    /// <param name="data">The unread rest of the chunk; on return, starts after what was consumed.</param>
    /// <param name="line">On <see cref="OperationStatus.Done"/>, the line without its CRLF or LF; valid
    /// until the next call or <see cref="Release"/>.</param>
    /// <returns>
    /// <see cref="OperationStatus.Done"/>: a line was found. <see cref="OperationStatus.NeedMoreData"/>:
    /// <paramref name="data"/> was consumed (a partial line is kept for the next chunk).
    /// <see cref="OperationStatus.InvalidData"/>: the current line is longer than
    /// <see cref="MaxLineLength"/>; <paramref name="data"/> is untouched and nothing more was buffered.
    /// </returns>
    public OperationStatus TryReadLine(ref ReadOnlySpan<byte> data, out ReadOnlySpan<byte> line)
    {
        line = default;
        if (_length == 0)
        {
            // The line returned last (if it was assembled in the buffer) has been used: give it back
            // until a line is split again.
            ReturnBuffer();
        }

        while (!data.IsEmpty)
        {
            if (_opaque > 0)
            {
                var passed = (int)Math.Min(_opaque, data.Length);
                data = data[passed..];
                _opaque -= passed;
                continue;
            }

            var lf = data.IndexOf((byte)'\n');
            if (_discarding)
            {
                if (lf < 0)
                {
                    data = data[data.Length..];
                    return OperationStatus.NeedMoreData;
                }

                _discarding = false;
                data = data[(lf + 1)..];
                continue;
            }

            if (lf < 0)
            {
                // A partial line: keep it only while it can still end within the limit.
                if (_length + data.Length > _maxLineLength - 1)
                {
                    return OperationStatus.InvalidData;
                }

                _buffer ??= ArrayPool<byte>.Shared.Rent(_maxLineLength);
                data.CopyTo(_buffer.AsSpan(_length));
                _length += data.Length;
                data = data[data.Length..];
                return OperationStatus.NeedMoreData;
            }

            if (_length + lf + 1 > _maxLineLength)
            {
                return OperationStatus.InvalidData;
            }

            if (_length == 0)
            {
                line = data[..lf];
            }
            else
            {
                data[..lf].CopyTo(_buffer.AsSpan(_length));
                line = _buffer.AsSpan(0, _length + lf);
                _length = 0;
            }

            data = data[(lf + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            return OperationStatus.Done;
        }

        return OperationStatus.NeedMoreData;
    }

    /// <summary>Forgets the partial line and gives its buffer back (the stream ended or was abandoned).</summary>
    public void Release()
    {
        _length = 0;
        _opaque = 0;
        ReturnBuffer();
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
