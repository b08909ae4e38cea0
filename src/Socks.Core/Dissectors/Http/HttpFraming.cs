namespace Socks.Core.Dissectors.Http;

/// <summary>
/// Where one direction of an HTTP/1.x connection is (RFC 9112 §6): a start line, header lines, then a
/// body that is either opaque bytes of known length (let by unparsed) or chunks, whose size lines and
/// trailers are lines too.
/// </summary>
/// <remarks>A mutable struct; keep it in a field.</remarks>
internal struct HttpFraming
{
    /// <summary>The part of the message the next line belongs to.</summary>
    public HttpPart Part;

    /// <summary>Bytes of body to let by after the current line.</summary>
    public long Opaque;

    // Headers of the message in progress that frame its body.
    public long ContentLength;
    public bool Chunked;

    /// <summary>Starts the headers of a message.</summary>
    public void BeginHeaders()
    {
        Part = HttpPart.Headers;
        ContentLength = -1;
        Chunked = false;
    }

    /// <summary>Notes a framing header (Content-Length, Transfer-Encoding).</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value, trimmed.</param>
    /// <returns>False if the framing cannot be followed (a bad Content-Length).</returns>
    public bool OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (AsciiCase.EqualsIgnoreCase(name, "CONTENT-LENGTH"u8))
        {
            if (!AsciiCase.TryParseNumber(value, hex: false, maxDigits: 18, out var length))
            {
                return false;
            }

            ContentLength = length;
        }
        else if (AsciiCase.EqualsIgnoreCase(name, "TRANSFER-ENCODING"u8))
        {
            // RFC 9112 §6.1: chunked is the final coding when present.
            var last = value.LastIndexOf((byte)',');
            var coding = (last < 0 ? value : value[(last + 1)..]).Trim((byte)' ');
            Chunked = AsciiCase.EqualsIgnoreCase(coding, "CHUNKED"u8);
        }

        return true;
    }

    /// <summary>The headers ended and the message has a body framed by them (or none).</summary>
    /// <param name="hasBody">False for a message that has no body whatever its headers say.</param>
    /// <param name="untilClose">Whether a message without Content-Length or chunked coding has a body
    /// up to the connection's end (a response) rather than none (a request), RFC 9112 §6.3.</param>
    /// <returns>False if the body lasts until the connection closes (it cannot be followed).</returns>
    public bool BeginBody(bool hasBody, bool untilClose)
    {
        Part = HttpPart.StartLine;
        if (!hasBody)
        {
            return true;
        }

        if (Chunked)
        {
            Part = HttpPart.ChunkSize;
            return true;
        }

        if (ContentLength >= 0)
        {
            Opaque = ContentLength;
            return true;
        }

        return !untilClose;
    }

    /// <summary>Takes a line of a chunked body.</summary>
    /// <param name="line">The line.</param>
    /// <returns>False if the chunk size is malformed.</returns>
    public bool OnChunkLine(ReadOnlySpan<byte> line)
    {
        switch (Part)
        {
            case HttpPart.ChunkSize:
                var end = line.IndexOfAny((byte)';', (byte)' ');
                if (!AsciiCase.TryParseNumber(end < 0 ? line : line[..end], hex: true, maxDigits: 15, out var size))
                {
                    return false;
                }

                if (size == 0)
                {
                    Part = HttpPart.Trailers;
                }
                else
                {
                    Opaque = size;
                    Part = HttpPart.ChunkEnd;
                }

                return true;
            case HttpPart.ChunkEnd:
                // The CRLF after the chunk data.
                Part = HttpPart.ChunkSize;
                return line.IsEmpty;
            default:
                // Trailer fields until the empty line that ends the message.
                if (line.IsEmpty)
                {
                    Part = HttpPart.StartLine;
                }

                return true;
        }
    }
}

/// <summary>The part of an HTTP message a line belongs to.</summary>
internal enum HttpPart : byte
{
    /// <summary>The request or status line (empty lines before it are ignored).</summary>
    StartLine,

    /// <summary>Header fields, up to the empty line.</summary>
    Headers,

    /// <summary>The size line of a chunk.</summary>
    ChunkSize,

    /// <summary>The empty line after a chunk's data.</summary>
    ChunkEnd,

    /// <summary>Trailer fields after the last chunk, up to the empty line.</summary>
    Trailers,
}
