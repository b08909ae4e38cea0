namespace Mcp.Protocol;

/// <summary>
/// The six counters of a GET_METRICS response, in wire order (MCP memo §4.1; definitions in docs/mcp-protocol.md).
/// </summary>
/// <param name="HistoricalConnections">SOCKS client connections accepted since the server started.</param>
/// <param name="ConcurrentConnections">SOCKS client connections open now, handshake included.</param>
/// <param name="BytesTransferred">All bytes read and written on both legs (client and destination) of every session.</param>
/// <param name="SuccessfulConnections">Sessions whose SOCKS request got reply 0x00 (succeeded).</param>
/// <param name="FailedConnections">Sessions that ended without a 0x00 reply.</param>
/// <param name="ClientBytes">Bytes read from and written to client sockets only.</param>
public readonly record struct McpMetrics(
    ulong HistoricalConnections,
    ulong ConcurrentConnections,
    ulong BytesTransferred,
    ulong SuccessfulConnections,
    ulong FailedConnections,
    ulong ClientBytes);
