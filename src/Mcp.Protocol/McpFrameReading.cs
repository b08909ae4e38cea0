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

    /// <summary>
    /// Reads the one-byte STATE payload of the dissector commands (TOGGLE_DISECTOR's response, GET_DISSECTOR's and
    /// SET_DISSECTOR's): LEN must be 1 and STATE 0x00 or 0x01. On <see cref="OperationStatus.Done"/> the whole frame is
    /// consumed from <paramref name="buffer"/>.
    /// </summary>
    /// <param name="buffer">The unread input, starting at the frame's header.</param>
    /// <param name="reader">A reader past the header.</param>
    /// <param name="length">LEN from the header.</param>
    /// <param name="lengthProblem">The message for a LEN other than 1, naming the frame ("SET_DISSECTOR carries ...").</param>
    /// <param name="enabled">STATE 0x01.</param>
    /// <param name="error">Why the frame was rejected, for <see cref="OperationStatus.InvalidData"/>.</param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    public static OperationStatus TryReadState(
        ref ReadOnlySequence<byte> buffer,
        ref SequenceReader<byte> reader,
        int length,
        string lengthProblem,
        out bool enabled,
        out McpFrameError error)
    {
        enabled = false;
        if (length != 1)
        {
            return Reject(ref buffer, length, McpFrameErrorReason.InvalidLength, lengthProblem, out error);
        }

        error = default;
        if (!reader.TryRead(out var state))
        {
            return OperationStatus.NeedMoreData;
        }

        if (state > 1)
        {
            return Reject(
                ref buffer,
                length,
                McpFrameErrorReason.InvalidDissectorState,
                $"STATE is {Hex(state)}; it must be 0x00 (off) or 0x01 (on).",
                out error);
        }

        enabled = state == 1;
        buffer = buffer.Slice(McpConstants.HeaderLength + length);
        return OperationStatus.Done;
    }

    public static string Hex(byte value) => "0x" + value.ToString("X2", CultureInfo.InvariantCulture);
}
