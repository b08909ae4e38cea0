using System.Buffers;
using System.Buffers.Binary;

namespace Mcp.Protocol;

/// <summary>Writes MCP requests (client side, MCP memo §3, §4) straight into an <see cref="IBufferWriter{T}"/>.</summary>
public static partial class McpRequestWriter
{
    /// <summary>Writes one request frame: the 4-byte header and its payload.</summary>
    /// <param name="request">The request. A command byte the memo does not define is written with an empty payload.</param>
    /// <param name="output">Where the frame goes; the writer calls <c>GetSpan</c> once and <c>Advance</c> once.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="ArgumentException">A user name or password is empty or longer than 255 bytes (checked before anything is written).</exception>
    public static void Write(in McpRequest request, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (request.Command)
        {
            case McpCommand.AddUser:
                WriteAddUser(request.Username.Span, request.Password.Span, output);
                break;
            case McpCommand.RemoveUser:
                WriteRemoveUser(request.Username.Span, output);
                break;
            case McpCommand.SetDissector:
                WriteSetDissector(request.DissectorEnabled, output);
                break;
            default:
                if (request.IsExtensionCommand)
                {
                    // docs/mcp-protocol.md §13: an extension's payload, as its writer built it.
                    var payload = request.Payload.Span;
                    var frame = output.GetSpan(McpConstants.HeaderLength + payload.Length);
                    WriteHeader(frame, (byte)request.Command, payload.Length);
                    payload.CopyTo(frame[McpConstants.HeaderLength..]);
                    output.Advance(McpConstants.HeaderLength + payload.Length);
                    break;
                }

                // Memo §4.1, §4.2, §4.5: empty payload (LEN = 0); also used for command bytes the memo does not define.
                var span = output.GetSpan(McpConstants.HeaderLength);
                WriteHeader(span, (byte)request.Command, 0);
                output.Advance(McpConstants.HeaderLength);
                break;
        }
    }

    // MCP memo §3, header (in a request the second byte is CMD):
    //
    //   +------+------+----------+
    //   | VER  | CMD  |   LEN    |
    //   +------+------+----------+
    //   |  1   |  1   |    2     |
    //   +------+------+----------+
    internal static void WriteHeader(Span<byte> destination, byte second, int payloadLength)
    {
        destination[0] = McpConstants.Version;
        destination[1] = second;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], checked((ushort)payloadLength));
    }

    // MCP memo §4.3, ADD_USER (CMD 0x02) request payload:
    //
    //   +------+----------+------+----------+
    //   | ULEN | USERNAME | PLEN | PASSWORD |
    //   +------+----------+------+----------+
    //   |  1   | 1 to 255 |  1   | 1 to 255 |
    //   +------+----------+------+----------+
    private static void WriteAddUser(ReadOnlySpan<byte> username, ReadOnlySpan<byte> password, IBufferWriter<byte> output)
    {
        McpArguments.ThrowIfInvalidCredential(username.Length, "user name", "request");
        McpArguments.ThrowIfInvalidCredential(password.Length, "password", "request");
        var payloadLength = 1 + username.Length + 1 + password.Length;
        var frameLength = McpConstants.HeaderLength + payloadLength;
        var span = output.GetSpan(frameLength);
        WriteHeader(span, (byte)McpCommand.AddUser, payloadLength);
        var payload = span[McpConstants.HeaderLength..];
        payload[0] = (byte)username.Length;
        username.CopyTo(payload[1..]);
        payload[1 + username.Length] = (byte)password.Length;
        password.CopyTo(payload[(2 + username.Length)..]);
        output.Advance(frameLength);
    }

    // MCP memo §4.4, REMOVE_USER (CMD 0x03) request payload:
    //
    //   +------+----------+
    //   | ULEN | USERNAME |
    //   +------+----------+
    //   |  1   | 1 to 255 |
    //   +------+----------+
    private static void WriteRemoveUser(ReadOnlySpan<byte> username, IBufferWriter<byte> output)
    {
        McpArguments.ThrowIfInvalidCredential(username.Length, "user name", "request");
        var payloadLength = 1 + username.Length;
        var frameLength = McpConstants.HeaderLength + payloadLength;
        var span = output.GetSpan(frameLength);
        WriteHeader(span, (byte)McpCommand.RemoveUser, payloadLength);
        span[McpConstants.HeaderLength] = (byte)username.Length;
        username.CopyTo(span[(McpConstants.HeaderLength + 1)..]);
        output.Advance(frameLength);
    }
}
