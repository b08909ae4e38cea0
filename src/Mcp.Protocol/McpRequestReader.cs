using System.Buffers;

namespace Mcp.Protocol;

/// <summary>
/// Reads MCP requests from the wire (server side, MCP memo §3, §4). Incremental: call it with whatever bytes have
/// arrived; it never throws on partial or hostile input, never does I/O and never reads past LEN.
/// </summary>
/// <remarks>
/// <para>Results of <see cref="TryRead"/>:</para>
/// <list type="bullet">
/// <item><see cref="OperationStatus.Done"/>: <c>buffer</c> now starts right after exactly one frame. A command byte
/// the memo does not define is not a framing error: the request has <see cref="McpRequest.IsKnownCommand"/> false,
/// its payload is skipped, and the server answers CMD_NOT_SUPPORTED and keeps the connection.</item>
/// <item><see cref="OperationStatus.NeedMoreData"/>: <c>buffer</c> is untouched and nothing was allocated.</item>
/// <item><see cref="OperationStatus.InvalidData"/>: see <see cref="McpFrameError"/>. With an unknown VER nothing is
/// consumed and the connection must close; otherwise the available part of the frame is consumed,
/// <see cref="McpFrameError.RemainingBytes"/> tells how much is still to be skipped (<see cref="TrySkip"/>), and the
/// server answers ERROR and keeps serving.</item>
/// </list>
/// <para>Checks run in wire order and as early as the bytes allow: VER after one byte, LEN against the command's
/// limit right after the header (before waiting for the payload), ULEN and PLEN as soon as each arrives.</para>
/// </remarks>
public static partial class McpRequestReader
{
    /// <summary>Tries to read one request from the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The unread input; advanced past what was consumed (see the type's remarks).</param>
    /// <param name="request">The request, when the result is <see cref="OperationStatus.Done"/>; its user name and password are fresh copies.</param>
    /// <param name="error">Why the frame is invalid, when the result is <see cref="OperationStatus.InvalidData"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, <see cref="OperationStatus.NeedMoreData"/> or <see cref="OperationStatus.InvalidData"/>.</returns>
    public static OperationStatus TryRead(ref ReadOnlySequence<byte> buffer, out McpRequest request, out McpFrameError error)
    {
        request = default;
        var reader = new SequenceReader<byte>(buffer);
        var header = McpFrameReading.TryReadHeader(ref reader, out var commandByte, out var length, out error);
        if (header != OperationStatus.Done)
        {
            return header;
        }

        var command = (McpCommand)commandByte;
        switch (command)
        {
            case McpCommand.GetMetrics:
            case McpCommand.ListUsers:
            case McpCommand.ToggleDissector:
            case McpCommand.GetDissector:
                // Memo §4.1, §4.2, §4.5: "Request Payload: Vacío (LEN = 0)"; GET_DISSECTOR likewise (§13.4).
                if (length != 0)
                {
                    return McpFrameReading.Reject(
                        ref buffer,
                        length,
                        McpFrameErrorReason.InvalidLength,
                        $"{McpNames.GetName(command)} takes no payload, but LEN is {length}.",
                        out error);
                }

                buffer = buffer.Slice(McpConstants.HeaderLength);
                request = McpRequest.FromWire(command, null, null);
                return OperationStatus.Done;

            case McpCommand.AddUser:
                return TryReadAddUser(ref buffer, ref reader, length, out request, out error);

            case McpCommand.RemoveUser:
                return TryReadRemoveUser(ref buffer, ref reader, length, out request, out error);

            case McpCommand.SetDissector:
                return TryReadSetDissector(ref buffer, ref reader, length, out request, out error);

            default:
                if (McpRequest.IsExtension(command))
                {
                    // Extension range (docs/mcp-protocol.md §13): the payload is kept whole for the extension's reader;
                    // a server without the extension still answers CMD_NOT_SUPPORTED.
                    if (reader.Remaining < length)
                    {
                        return OperationStatus.NeedMoreData;
                    }

                    request = McpRequest.FromWireExtension(command, reader.UnreadSequence.Slice(0, length).ToArray());
                    buffer = buffer.Slice(McpConstants.HeaderLength + length);
                    return OperationStatus.Done;
                }

                // Unknown CMD: LEN still delimits the frame, so skip it whole and let the server answer
                // CMD_NOT_SUPPORTED (docs/mcp-protocol.md, "Unknown commands").
                if (!McpFrameReading.TrySkipFrame(ref buffer, length))
                {
                    return OperationStatus.NeedMoreData;
                }

                request = McpRequest.FromWire(command, null, null);
                return OperationStatus.Done;
        }
    }

    /// <summary>
    /// Discards bytes of a rejected frame that arrived after <see cref="TryRead"/> reported it
    /// (<see cref="McpFrameError.RemainingBytes"/>).
    /// </summary>
    /// <param name="buffer">The unread input; advanced past the bytes discarded.</param>
    /// <param name="remainingBytes">Bytes still to discard; decreased by the bytes discarded.</param>
    /// <returns><see langword="true"/> when the frame has been discarded completely and the next frame can be read.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="remainingBytes"/> is negative.</exception>
    public static bool TrySkip(ref ReadOnlySequence<byte> buffer, ref int remainingBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(remainingBytes);
        var skipped = (int)Math.Min(buffer.Length, remainingBytes);
        buffer = buffer.Slice(skipped);
        remainingBytes -= skipped;
        return remainingBytes == 0;
    }

    // MCP memo §4.3, ADD_USER (CMD 0x02) request payload:
    //
    //   +------+----------+------+----------+
    //   | ULEN | USERNAME | PLEN | PASSWORD |
    //   +------+----------+------+----------+
    //   |  1   | 1 to 255 |  1   | 1 to 255 |
    //   +------+----------+------+----------+
    //
    // LEN must equal 1 + ULEN + 1 + PLEN, so 4 <= LEN <= 512. LEN 0 and LEN > 512 are rejected from the header;
    // LEN 1..3 are rejected with the precise reason once ULEN/PLEN show which field does not fit.
    private static OperationStatus TryReadAddUser(
        ref ReadOnlySequence<byte> buffer,
        ref SequenceReader<byte> reader,
        int length,
        out McpRequest request,
        out McpFrameError error)
    {
        request = default;
        if (length is 0 or > McpConstants.MaxAddUserPayloadLength)
        {
            return McpFrameReading.Reject(
                ref buffer,
                length,
                McpFrameErrorReason.InvalidLength,
                $"ADD_USER needs LEN 4 to {McpConstants.MaxAddUserPayloadLength} (ULEN, USERNAME, PLEN, PASSWORD), but LEN is {length}.",
                out error);
        }

        var ulen = TryReadUsernameLength(ref buffer, ref reader, McpCommand.AddUser, length, out var usernameLength, out error);
        if (ulen != OperationStatus.Done)
        {
            return ulen;
        }

        if (1 + usernameLength == length)
        {
            return McpFrameReading.Reject(
                ref buffer,
                length,
                McpFrameErrorReason.MissingPasswordLength,
                $"The {length}-byte ADD_USER payload ends after the user name; PLEN and PASSWORD are missing.",
                out error);
        }

        if (reader.Remaining < usernameLength + 1)
        {
            return OperationStatus.NeedMoreData;
        }

        var username = reader.UnreadSequence.Slice(0, usernameLength);
        reader.Advance(usernameLength);
        reader.TryRead(out var passwordLength);
        if (passwordLength == 0)
        {
            return McpFrameReading.Reject(
                ref buffer, length, McpFrameErrorReason.EmptyPassword, "PLEN is 0; passwords are 1 to 255 bytes.", out error);
        }

        var expected = 1 + usernameLength + 1 + passwordLength;
        if (expected > length)
        {
            return McpFrameReading.Reject(
                ref buffer,
                length,
                McpFrameErrorReason.PasswordOverrunsPayload,
                $"PLEN {passwordLength} runs past the end of the {length}-byte ADD_USER payload.",
                out error);
        }

        if (expected < length)
        {
            return McpFrameReading.Reject(
                ref buffer,
                length,
                McpFrameErrorReason.TrailingBytes,
                $"The ADD_USER payload holds {length - expected} bytes after the password.",
                out error);
        }

        if (reader.Remaining < passwordLength)
        {
            return OperationStatus.NeedMoreData;
        }

        var password = reader.UnreadSequence.Slice(0, passwordLength);
        request = McpRequest.FromWire(McpCommand.AddUser, username.ToArray(), password.ToArray());
        buffer = buffer.Slice(McpConstants.HeaderLength + length);
        return OperationStatus.Done;
    }

    // MCP memo §4.4, REMOVE_USER (CMD 0x03) request payload:
    //
    //   +------+----------+
    //   | ULEN | USERNAME |
    //   +------+----------+
    //   |  1   | 1 to 255 |
    //   +------+----------+
    //
    // LEN must equal 1 + ULEN, so 2 <= LEN <= 256.
    private static OperationStatus TryReadRemoveUser(
        ref ReadOnlySequence<byte> buffer,
        ref SequenceReader<byte> reader,
        int length,
        out McpRequest request,
        out McpFrameError error)
    {
        request = default;
        if (length is 0 or > McpConstants.MaxRemoveUserPayloadLength)
        {
            return McpFrameReading.Reject(
                ref buffer,
                length,
                McpFrameErrorReason.InvalidLength,
                $"REMOVE_USER needs LEN 2 to {McpConstants.MaxRemoveUserPayloadLength} (ULEN, USERNAME), but LEN is {length}.",
                out error);
        }

        var ulen = TryReadUsernameLength(ref buffer, ref reader, McpCommand.RemoveUser, length, out var usernameLength, out error);
        if (ulen != OperationStatus.Done)
        {
            return ulen;
        }

        if (1 + usernameLength < length)
        {
            return McpFrameReading.Reject(
                ref buffer,
                length,
                McpFrameErrorReason.TrailingBytes,
                $"The REMOVE_USER payload holds {length - 1 - usernameLength} bytes after the user name.",
                out error);
        }

        if (reader.Remaining < usernameLength)
        {
            return OperationStatus.NeedMoreData;
        }

        request = McpRequest.FromWire(McpCommand.RemoveUser, reader.UnreadSequence.Slice(0, usernameLength).ToArray(), null);
        buffer = buffer.Slice(McpConstants.HeaderLength + length);
        return OperationStatus.Done;
    }

    // ULEN, the first byte of both user payloads (memo §4.3, §4.4): 1 to 255, and ULEN bytes of USERNAME must fit in
    // LEN. Done when ULEN is read and fits; the reader is then at USERNAME (which may not have arrived yet).
    private static OperationStatus TryReadUsernameLength(
        ref ReadOnlySequence<byte> buffer,
        ref SequenceReader<byte> reader,
        McpCommand command,
        int length,
        out byte usernameLength,
        out McpFrameError error)
    {
        error = default;
        if (!reader.TryRead(out usernameLength))
        {
            return OperationStatus.NeedMoreData;
        }

        if (usernameLength == 0)
        {
            return McpFrameReading.Reject(
                ref buffer, length, McpFrameErrorReason.EmptyUsername, "ULEN is 0; user names are 1 to 255 bytes.", out error);
        }

        if (1 + usernameLength > length)
        {
            return McpFrameReading.Reject(
                ref buffer,
                length,
                McpFrameErrorReason.UsernameOverrunsPayload,
                $"ULEN {usernameLength} runs past the end of the {length}-byte {McpNames.GetName(command)} payload.",
                out error);
        }

        return OperationStatus.Done;
    }
}
