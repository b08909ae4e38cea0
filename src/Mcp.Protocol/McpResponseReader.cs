using System.Buffers;

namespace Mcp.Protocol;

/// <summary>
/// Reads MCP responses from the wire (client side, MCP memo §3-§5). Incremental: call it with whatever bytes have
/// arrived; it never throws on partial or hostile input, never does I/O and never reads past LEN.
/// </summary>
/// <remarks>
/// <para>A response carries no command byte (its second byte is the status, memo §5), so the caller says which
/// command it expects; with pipelining that is the oldest request still unanswered.</para>
/// <para>Results of <see cref="TryRead"/>:</para>
/// <list type="bullet">
/// <item><see cref="OperationStatus.Done"/>: <c>buffer</c> now starts right after exactly one frame. A non-OK
/// status, and any status for a command the memo does not define, yields a response without payload; whatever
/// payload the server sent with it is skipped (the memo gives it no meaning). A status byte the memo does not
/// define is returned as is: it is a failure the caller reports, not broken framing.</item>
/// <item><see cref="OperationStatus.NeedMoreData"/>: <c>buffer</c> is untouched and nothing was allocated.</item>
/// <item><see cref="OperationStatus.InvalidData"/>: see <see cref="McpFrameError"/>; the same consumption rules as
/// <see cref="McpRequestReader"/>. A client should treat the connection as out of step and close it.</item>
/// </list>
/// <para>LEN is checked against the command's successful layout right after the header, before waiting for the
/// payload. A LIST_USERS payload is validated once it is complete, in one pass.</para>
/// </remarks>
public static class McpResponseReader
{
    /// <summary>Tries to read one response to <paramref name="command"/> from the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The unread input; advanced past what was consumed (see the type's remarks).</param>
    /// <param name="command">The command this response answers (responses do not say, memo §5).</param>
    /// <param name="response">The response, when the result is <see cref="OperationStatus.Done"/>; user names are fresh copies.</param>
    /// <param name="error">Why the frame is invalid, when the result is <see cref="OperationStatus.InvalidData"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, <see cref="OperationStatus.NeedMoreData"/> or <see cref="OperationStatus.InvalidData"/>.</returns>
    public static OperationStatus TryRead(
        ref ReadOnlySequence<byte> buffer, McpCommand command, out McpResponse response, out McpFrameError error)
    {
        response = default;
        var reader = new SequenceReader<byte>(buffer);
        var header = McpFrameReading.TryReadHeader(ref reader, out var statusByte, out var length, out error);
        if (header != OperationStatus.Done)
        {
            return header;
        }

        var status = (McpStatus)statusByte;
        if (status != McpStatus.Ok || !(McpRequest.IsDefined(command) || McpRequest.IsExtension(command)))
        {
            if (!McpFrameReading.TrySkipFrame(ref buffer, length))
            {
                return OperationStatus.NeedMoreData;
            }

            response = McpResponse.FromWire(command, status);
            return OperationStatus.Done;
        }

        return command switch
        {
            McpCommand.GetMetrics => TryReadMetrics(ref buffer, ref reader, length, out response, out error),
            McpCommand.ListUsers => TryReadUsers(ref buffer, length, out response, out error),
            McpCommand.ToggleDissector or McpCommand.GetDissector or McpCommand.SetDissector =>
                TryReadDissectorState(ref buffer, ref reader, command, length, out response, out error),
            _ when McpRequest.IsExtension(command) => TryReadExtension(ref buffer, ref reader, command, length, out response),
            _ => TryReadEmpty(ref buffer, command, length, out response, out error),
        };
    }

    // MCP memo §4.1, GET_METRICS (CMD 0x00) successful response payload, six big-endian uint64 (LEN = 48):
    //
    //   +-------------+-------------+-------------+-------------+-------------+-------------+
    //   | HISTORICAL  | CONCURRENT  | BYTES       | SUCCESSFUL  | FAILED      | CLIENT      |
    //   | CONNECTIONS | CONNECTIONS | TRANSFERRED | CONNECTIONS | CONNECTIONS | BYTES       |
    //   +-------------+-------------+-------------+-------------+-------------+-------------+
    //   |      8      |      8      |      8      |      8      |      8      |      8      |
    //   +-------------+-------------+-------------+-------------+-------------+-------------+
    private static OperationStatus TryReadMetrics(
        ref ReadOnlySequence<byte> buffer,
        ref SequenceReader<byte> reader,
        int length,
        out McpResponse response,
        out McpFrameError error)
    {
        response = default;
        if (length != McpConstants.MetricsPayloadLength)
        {
            return McpFrameReading.Reject(
                ref buffer,
                length,
                McpFrameErrorReason.InvalidLength,
                $"A successful GET_METRICS response carries exactly {McpConstants.MetricsPayloadLength} bytes, but LEN is {length}.",
                out error);
        }

        error = default;
        if (reader.Remaining < length)
        {
            return OperationStatus.NeedMoreData;
        }

        // Remaining was checked, so each read succeeds; the casts reinterpret the big-endian bits as unsigned.
        reader.TryReadBigEndian(out long historical);
        reader.TryReadBigEndian(out long concurrent);
        reader.TryReadBigEndian(out long bytesTransferred);
        reader.TryReadBigEndian(out long successful);
        reader.TryReadBigEndian(out long failed);
        reader.TryReadBigEndian(out long clientBytes);
        response = McpResponse.FromMetrics(new McpMetrics(
            (ulong)historical,
            (ulong)concurrent,
            (ulong)bytesTransferred,
            (ulong)successful,
            (ulong)failed,
            (ulong)clientBytes));
        buffer = buffer.Slice(McpConstants.HeaderLength + length);
        return OperationStatus.Done;
    }

    // MCP memo §4.2, LIST_USERS (CMD 0x01) successful response payload:
    //
    //   +-------+=======================+
    //   | COUNT |  LISTA DE USUARIOS... |      each entry: +------+----------+
    //   +-------+=======================+                  | ULEN | USERNAME |
    //   |   1   |  COUNT entries        |                  +------+----------+
    //   +-------+=======================+                  |  1   | 1 to 255 |
    //                                                      +------+----------+
    //
    // LEN must equal 1 + the sum of (1 + ULEN) over exactly COUNT entries, so 1 <= LEN <= 1 + 255 * 256.
    private static OperationStatus TryReadUsers(
        ref ReadOnlySequence<byte> buffer, int length, out McpResponse response, out McpFrameError error)
    {
        response = default;
        if (length is 0 or > McpConstants.MaxListUsersPayloadLength)
        {
            return McpFrameReading.Reject(
                ref buffer,
                length,
                McpFrameErrorReason.InvalidLength,
                $"A successful LIST_USERS response needs LEN 1 to {McpConstants.MaxListUsersPayloadLength} (COUNT and entries), but LEN is {length}.",
                out error);
        }

        error = default;
        if (buffer.Length < McpConstants.HeaderLength + length)
        {
            return OperationStatus.NeedMoreData;
        }

        var payload = buffer.Slice(McpConstants.HeaderLength, length);
        var (reason, message) = ValidateUserList(payload, length);
        if (reason != McpFrameErrorReason.None)
        {
            return McpFrameReading.Reject(ref buffer, length, reason, message, out error);
        }

        var reader = new SequenceReader<byte>(payload);
        reader.TryRead(out var count);
        var users = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < users.Length; i++)
        {
            reader.TryRead(out var usernameLength);
            users[i] = reader.UnreadSequence.Slice(0, usernameLength).ToArray();
            reader.Advance(usernameLength);
        }

        response = McpResponse.FromWireUsers(users);
        buffer = buffer.Slice(McpConstants.HeaderLength + length);
        return OperationStatus.Done;
    }

    private static (McpFrameErrorReason Reason, string Message) ValidateUserList(ReadOnlySequence<byte> payload, int length)
    {
        var reader = new SequenceReader<byte>(payload);
        reader.TryRead(out var count);
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryRead(out var usernameLength))
            {
                return (McpFrameErrorReason.UserCountMismatch, $"COUNT is {count}, but the payload holds only {i} entries.");
            }

            if (usernameLength == 0)
            {
                return (McpFrameErrorReason.EmptyUsername, $"Entry {i + 1} has ULEN 0; user names are 1 to 255 bytes.");
            }

            if (reader.Remaining < usernameLength)
            {
                return (McpFrameErrorReason.UsernameOverrunsPayload,
                    $"Entry {i + 1} has ULEN {usernameLength}, which runs past the end of the {length}-byte payload.");
            }

            reader.Advance(usernameLength);
        }

        if (reader.End)
        {
            return (McpFrameErrorReason.None, string.Empty);
        }

        // Bytes remain after COUNT entries: say "count mismatch" when they are whole entries, else "trailing bytes".
        var trailing = reader.Remaining;
        var extra = 0;
        var wholeEntries = true;
        while (!reader.End)
        {
            reader.TryRead(out var usernameLength);
            if (usernameLength == 0 || reader.Remaining < usernameLength)
            {
                wholeEntries = false;
                break;
            }

            reader.Advance(usernameLength);
            extra++;
        }

        return wholeEntries
            ? (McpFrameErrorReason.UserCountMismatch, $"COUNT is {count}, but the payload holds {count + extra} entries.")
            : (McpFrameErrorReason.TrailingBytes, $"The LIST_USERS payload holds {trailing} bytes after its {count} entries.");
    }

    // MCP memo §4.5, TOGGLE_DISECTOR (CMD 0x04) successful response payload (LEN = 1); the same layout answers
    // GET_DISSECTOR (0x83) and SET_DISSECTOR (0x84), docs/mcp-protocol.md §13.4, §13.5:
    //
    //   +-------+
    //   | STATE |    0x01 = the dissector is now on, 0x00 = it is now off
    //   +-------+
    //   |   1   |
    //   +-------+
    private static OperationStatus TryReadDissectorState(
        ref ReadOnlySequence<byte> buffer,
        ref SequenceReader<byte> reader,
        McpCommand command,
        int length,
        out McpResponse response,
        out McpFrameError error)
    {
        response = default;
        var status = McpFrameReading.TryReadState(
            ref buffer,
            ref reader,
            length,
            $"A successful {McpNames.GetName(command)} response carries exactly 1 byte (STATE), but LEN is {length}.",
            out var enabled,
            out error);
        if (status == OperationStatus.Done)
        {
            response = McpResponse.FromDissectorState(command, enabled);
        }

        return status;
    }

    // MCP memo §4.3, §4.4: a successful ADD_USER or REMOVE_USER response has an empty payload (LEN = 0);
    // "El campo CMD del header indicará el resultado".
    // docs/mcp-protocol.md §13: an extension's OK payload is kept whole for the extension's reader (McpExtensionCodec).
    private static OperationStatus TryReadExtension(
        ref ReadOnlySequence<byte> buffer, ref SequenceReader<byte> reader, McpCommand command, int length, out McpResponse response)
    {
        response = default;
        if (reader.Remaining < length)
        {
            return OperationStatus.NeedMoreData;
        }

        response = McpResponse.FromWireExtension(command, reader.UnreadSequence.Slice(0, length).ToArray());
        buffer = buffer.Slice(McpConstants.HeaderLength + length);
        return OperationStatus.Done;
    }

    private static OperationStatus TryReadEmpty(
        ref ReadOnlySequence<byte> buffer, McpCommand command, int length, out McpResponse response, out McpFrameError error)
    {
        response = default;
        if (length != 0)
        {
            return McpFrameReading.Reject(
                ref buffer,
                length,
                McpFrameErrorReason.InvalidLength,
                $"A successful {McpNames.GetName(command)} response has an empty payload, but LEN is {length}.",
                out error);
        }

        error = default;
        response = McpResponse.FromWire(command, McpStatus.Ok);
        buffer = buffer.Slice(McpConstants.HeaderLength);
        return OperationStatus.Done;
    }
}
