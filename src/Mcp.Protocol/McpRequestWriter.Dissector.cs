using System.Buffers;

namespace Mcp.Protocol;

/// <summary>Requests of the dissector extensions (docs/mcp-protocol.md §13.4-§13.5).</summary>
public static partial class McpRequestWriter
{
    // docs/mcp-protocol.md §13.5, SET_DISSECTOR (CMD 0x84) request payload (LEN = 1):
    //
    //   +-------+
    //   | STATE |    0x01 = switch the dissector on, 0x00 = switch it off
    //   +-------+
    //   |   1   |
    //   +-------+
    private static void WriteSetDissector(bool enabled, IBufferWriter<byte> output)
    {
        const int frameLength = McpConstants.HeaderLength + 1;
        var span = output.GetSpan(frameLength);
        WriteHeader(span, (byte)McpCommand.SetDissector, 1);
        span[McpConstants.HeaderLength] = enabled ? (byte)1 : (byte)0;
        output.Advance(frameLength);
    }
}
