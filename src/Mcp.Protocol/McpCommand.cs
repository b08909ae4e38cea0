namespace Mcp.Protocol;

/// <summary>
/// The command byte (CMD) of an MCP request (MCP memo §3, §4).
/// </summary>
/// <remarks>
/// A request read from the wire may carry a byte that is not one of these members; it is kept as the raw value
/// cast to <see cref="McpCommand"/> (see <see cref="McpRequest.IsKnownCommand"/>) so a server can answer
/// <see cref="McpStatus.CommandNotSupported"/>. Members from 0x80 up are extensions (docs/mcp-protocol.md §13): a
/// server written from the memo alone answers them CMD_NOT_SUPPORTED.
/// </remarks>
public enum McpCommand : byte
{
    /// <summary>0x00 GET_METRICS (memo §4.1): six 64-bit counters; empty request payload.</summary>
    GetMetrics = 0x00,

    /// <summary>0x01 LIST_USERS (memo §4.2): the registered user names; empty request payload.</summary>
    ListUsers = 0x01,

    /// <summary>0x02 ADD_USER (memo §4.3): registers a user name and password; empty response payload.</summary>
    AddUser = 0x02,

    /// <summary>0x03 REMOVE_USER (memo §4.4): removes a user by name; empty response payload.</summary>
    RemoveUser = 0x03,

    /// <summary>0x04 TOGGLE_DISECTOR (memo §4.5): switches the traffic dissector; the response carries the new state.</summary>
    ToggleDissector = 0x04,

    /// <summary>
    /// 0x80 USER_STATS (extension, docs/mcp-protocol.md §13.1): one page of per-user statistics and limits; request
    /// payload START (1 byte). A server without it answers <see cref="McpStatus.CommandNotSupported"/>.
    /// </summary>
    UserStats = 0x80,

    /// <summary>0x81 GET_LIMITS (extension, docs/mcp-protocol.md §13.2): one user's limits and quota used.</summary>
    GetLimits = 0x81,

    /// <summary>0x82 SET_LIMITS (extension, docs/mcp-protocol.md §13.3): sets one user's limits; empty response payload.</summary>
    SetLimits = 0x82,

    /// <summary>
    /// 0x83 GET_DISSECTOR (extension, docs/mcp-protocol.md §13.4): reads the dissector's state without changing it;
    /// empty request payload, the response carries STATE.
    /// </summary>
    GetDissector = 0x83,

    /// <summary>
    /// 0x84 SET_DISSECTOR (extension, docs/mcp-protocol.md §13.5): switches the dissector on or off explicitly; the
    /// request carries STATE, the response the state now in force.
    /// </summary>
    SetDissector = 0x84,

    /// <summary>
    /// 0x85 FLEET_USER_STATS (extension, docs/mcp-protocol.md §13.6): USER_STATS with the counters of the whole fleet
    /// (every node sharing the users through Redis); the same request (START) and entries as <see cref="UserStats"/>.
    /// A server that is not part of a fleet answers <see cref="McpStatus.CommandNotSupported"/>.
    /// </summary>
    FleetUserStats = 0x85,
}
