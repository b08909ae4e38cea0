using System.Buffers;
using System.Buffers.Binary;

namespace Mcp.Protocol;

/// <summary>Writes MCP responses (server side, MCP memo §3-§5) straight into an <see cref="IBufferWriter{T}"/>.</summary>
public static class McpResponseWriter
{
    /// <summary>Writes one response frame: the 4-byte header (second byte = status) and its payload.</summary>
    /// <param name="response">
    /// The response. A non-OK status is written with an empty payload; an OK status with the payload of
    /// <see cref="McpResponse.Command"/>.
    /// </param>
    /// <param name="output">Where the frame goes, written in place without temporary arrays.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// An OK response to a command the memo does not define, or a LIST_USERS response with more than 255 users or a
    /// name that is empty or longer than 255 bytes (checked before anything is written).
    /// </exception>
    public static void Write(in McpResponse response, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (response.Status != McpStatus.Ok)
        {
            // Our profile: non-OK responses carry no payload (docs/mcp-protocol.md, "Errors").
            WriteEmpty(response.Status, output);
            return;
        }

        switch (response.Command)
        {
            case McpCommand.GetMetrics:
                WriteMetrics(response.Metrics, output);
                break;
            case McpCommand.ListUsers:
                WriteUsers(response.Users, output);
                break;
            case McpCommand.ToggleDissector:
            case McpCommand.GetDissector:
            case McpCommand.SetDissector:
                WriteDissectorState(response.DissectorEnabled, output);
                break;
            case McpCommand.AddUser:
            case McpCommand.RemoveUser:
                // Memo §4.3, §4.4: "Response Payload: Vacío".
                WriteEmpty(McpStatus.Ok, output);
                break;
            case var extension when McpRequest.IsExtension(extension):
                // docs/mcp-protocol.md §13: the extension's payload, as its writer built it.
                var payload = response.Payload.Span;
                var frame = output.GetSpan(McpConstants.HeaderLength + payload.Length);
                McpRequestWriter.WriteHeader(frame, (byte)McpStatus.Ok, payload.Length);
                payload.CopyTo(frame[McpConstants.HeaderLength..]);
                output.Advance(McpConstants.HeaderLength + payload.Length);
                break;
            default:
                throw new ArgumentException(
                    $"Cannot write an OK response to {McpNames.GetName(response.Command)}, which the protocol does not define.",
                    nameof(response));
        }
    }

    // MCP memo §3, §5, header of a response (the second byte is the status):
    //
    //   +------+--------+----------+
    //   | VER  | STATUS |   LEN    |
    //   +------+--------+----------+
    //   |  1   |   1    |    2     |
    //   +------+--------+----------+
    private static void WriteEmpty(McpStatus status, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(McpConstants.HeaderLength);
        McpRequestWriter.WriteHeader(span, (byte)status, 0);
        output.Advance(McpConstants.HeaderLength);
    }

    // MCP memo §4.1, GET_METRICS (CMD 0x00) successful response payload, six big-endian uint64 (LEN = 48):
    //
    //   +-------------+-------------+-------------+-------------+-------------+-------------+
    //   | HISTORICAL  | CONCURRENT  | BYTES       | SUCCESSFUL  | FAILED      | CLIENT      |
    //   | CONNECTIONS | CONNECTIONS | TRANSFERRED | CONNECTIONS | CONNECTIONS | BYTES       |
    //   +-------------+-------------+-------------+-------------+-------------+-------------+
    //   |      8      |      8      |      8      |      8      |      8      |      8      |
    //   +-------------+-------------+-------------+-------------+-------------+-------------+
    private static void WriteMetrics(in McpMetrics metrics, IBufferWriter<byte> output)
    {
        const int frameLength = McpConstants.HeaderLength + McpConstants.MetricsPayloadLength;
        var span = output.GetSpan(frameLength);
        McpRequestWriter.WriteHeader(span, (byte)McpStatus.Ok, McpConstants.MetricsPayloadLength);
        BinaryPrimitives.WriteUInt64BigEndian(span[4..], metrics.HistoricalConnections);
        BinaryPrimitives.WriteUInt64BigEndian(span[12..], metrics.ConcurrentConnections);
        BinaryPrimitives.WriteUInt64BigEndian(span[20..], metrics.BytesTransferred);
        BinaryPrimitives.WriteUInt64BigEndian(span[28..], metrics.SuccessfulConnections);
        BinaryPrimitives.WriteUInt64BigEndian(span[36..], metrics.FailedConnections);
        BinaryPrimitives.WriteUInt64BigEndian(span[44..], metrics.ClientBytes);
        output.Advance(frameLength);
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
    // Written in parts (header + COUNT, then one span per entry) so a 64 KiB list needs no 64 KiB span.
    private static void WriteUsers(IReadOnlyList<ReadOnlyMemory<byte>> users, IBufferWriter<byte> output)
    {
        McpResponse.ValidateUsers(users);
        var payloadLength = 1;
        for (var i = 0; i < users.Count; i++)
        {
            payloadLength += 1 + users[i].Length;
        }

        var span = output.GetSpan(McpConstants.HeaderLength + 1);
        McpRequestWriter.WriteHeader(span, (byte)McpStatus.Ok, payloadLength);
        span[McpConstants.HeaderLength] = (byte)users.Count;
        output.Advance(McpConstants.HeaderLength + 1);
        for (var i = 0; i < users.Count; i++)
        {
            var username = users[i].Span;
            var entry = output.GetSpan(1 + username.Length);
            entry[0] = (byte)username.Length;
            username.CopyTo(entry[1..]);
            output.Advance(1 + username.Length);
        }
    }

    // MCP memo §4.5, TOGGLE_DISECTOR (CMD 0x04) successful response payload (LEN = 1); also GET_DISSECTOR and
    // SET_DISSECTOR (docs/mcp-protocol.md §13.4, §13.5):
    //
    //   +-------+
    //   | STATE |    0x01 = the dissector is now on, 0x00 = it is now off
    //   +-------+
    //   |   1   |
    //   +-------+
    private static void WriteDissectorState(bool enabled, IBufferWriter<byte> output)
    {
        const int frameLength = McpConstants.HeaderLength + 1;
        var span = output.GetSpan(frameLength);
        McpRequestWriter.WriteHeader(span, (byte)McpStatus.Ok, 1);
        span[McpConstants.HeaderLength] = enabled ? (byte)1 : (byte)0;
        output.Advance(frameLength);
    }
}
