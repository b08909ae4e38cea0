using System.Buffers;
using System.Globalization;

namespace Mcp.Protocol;

/// <summary>Header parsing and rejection shared by <see cref="McpRequestReader"/> and <see cref="McpResponseReader"/>.</summary>
internal static class McpFrameReading
{
    // MCP memo §3, common header of requests and responses:
    //
    //   +------+------+----------+======================+
    //   | VER  | CMD  |   LEN    |       PAYLOAD        |
    //   +------+------+----------+======================+
    //   |  1   |  1   |    2     |      Variable        |
    //   +------+------+----------+======================+
    //
    // In a response the CMD byte carries the status (memo §5). LEN is big-endian and counts PAYLOAD only.

    /// <summary>
    /// Reads VER, then CMD/STATUS and LEN. Returns <see cref="OperationStatus.InvalidData"/> as soon as VER is wrong
    /// (after one byte, consuming nothing), <see cref="OperationStatus.NeedMoreData"/> while the header is incomplete.
    /// </summary>
    public static OperationStatus TryReadHeader(
        ref SequenceReader<byte> reader, out byte second, out int length, out McpFrameError error)
    {
        second = 0;
        length = 0;
        error = default;
        if (!reader.TryRead(out var version))
        {
            return OperationStatus.NeedMoreData;
        }

        if (version != McpConstants.Version)
        {
            error = new McpFrameError(
                McpFrameErrorReason.UnsupportedVersion,
                $"Unsupported protocol version {Hex(version)}; VER must be {Hex(McpConstants.Version)}.",
                frameLength: 0,
                remainingBytes: 0);
            return OperationStatus.InvalidData;
        }

        if (!reader.TryRead(out second) || !reader.TryReadBigEndian(out short rawLength))
        {
            return OperationStatus.NeedMoreData;
        }

        length = (ushort)rawLength;
        return OperationStatus.Done;
    }

    /// <summary>
    /// Rejects a frame whose header was valid: consumes the part of it that is in <paramref name="buffer"/> and
    /// reports how much more is still to come, so the caller can skip the rest and keep the connection.
    /// </summary>
    public static OperationStatus Reject(
        ref ReadOnlySequence<byte> buffer,
        int payloadLength,
        McpFrameErrorReason reason,
        string message,
        out McpFrameError error)
    {
        var frameLength = McpConstants.HeaderLength + payloadLength;
        var consumed = (int)Math.Min(buffer.Length, frameLength);
        buffer = buffer.Slice(consumed);
        error = new McpFrameError(reason, message, frameLength, frameLength - consumed);
        return OperationStatus.InvalidData;
    }

    /// <summary>Consumes a whole frame when it is all in the buffer.</summary>
    public static bool TrySkipFrame(ref ReadOnlySequence<byte> buffer, int payloadLength)
    {
        var frameLength = McpConstants.HeaderLength + payloadLength;
        if (buffer.Length < frameLength)
        {
            return false;
        }

        buffer = buffer.Slice(frameLength);
        return true;
    }

    public static string Hex(byte value) => "0x" + value.ToString("X2", CultureInfo.InvariantCulture);
}
