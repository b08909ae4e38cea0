using System.Buffers;

namespace Mcp.Protocol;

/// <summary>Requests of the dissector extensions (docs/mcp-protocol.md §13.4-§13.5).</summary>
public static partial class McpRequestReader
{
    // docs/mcp-protocol.md §13.5, SET_DISSECTOR (CMD 0x84) request payload (LEN = 1):
    //
    //   +-------+
    //   | STATE |    0x01 = switch the dissector on, 0x00 = switch it off
    //   +-------+
    //   |   1   |
    //   +-------+
    //
    // LEN is checked from the header alone; any STATE other than 0x00 or 0x01 is malformed (answered ERROR).
    private static OperationStatus TryReadSetDissector(
        ref ReadOnlySequence<byte> buffer,
        ref SequenceReader<byte> reader,
        int length,
        out McpRequest request,
        out McpFrameError error)
    {
        request = default;
        var status = McpFrameReading.TryReadState(
            ref buffer, ref reader, length, $"SET_DISSECTOR carries exactly 1 byte (STATE), but LEN is {length}.", out var enabled, out error);
        if (status == OperationStatus.Done)
        {
            request = McpRequest.FromWireSetDissector(enabled);
        }

        return status;
    }
}
