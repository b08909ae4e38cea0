using System.Globalization;

namespace Mcp.Protocol;

/// <summary>The memo's names for commands and status codes, for messages and logs (MCP memo §4, §5).</summary>
public static class McpNames
{
    /// <summary>Gets the memo's name of a command, e.g. <c>ADD_USER</c> (or an extension's, e.g. <c>GET_DISSECTOR</c>), or <c>0x2A</c> for a byte neither defines.</summary>
    /// <param name="command">The command byte.</param>
    /// <returns>The name as the memo spells it.</returns>
    public static string GetName(McpCommand command) => command switch
    {
        McpCommand.GetMetrics => "GET_METRICS",
        McpCommand.ListUsers => "LIST_USERS",
        McpCommand.AddUser => "ADD_USER",
        McpCommand.RemoveUser => "REMOVE_USER",
        McpCommand.ToggleDissector => "TOGGLE_DISECTOR",
        McpCommand.UserStats => "USER_STATS",
        McpCommand.GetLimits => "GET_LIMITS",
        McpCommand.SetLimits => "SET_LIMITS",
        McpCommand.GetDissector => "GET_DISSECTOR",
        McpCommand.SetDissector => "SET_DISSECTOR",
        McpCommand.FleetUserStats => "FLEET_USER_STATS",
        _ => Hex((byte)command),
    };

    /// <summary>Gets the memo's name of a status, e.g. <c>USER_EXISTS</c>, or <c>0x2A</c> for a byte the memo does not define.</summary>
    /// <param name="status">The status byte.</param>
    /// <returns>The name as the memo spells it, without the <c>MONITORING_STATUS_</c> prefix.</returns>
    public static string GetName(McpStatus status) => status switch
    {
        McpStatus.Ok => "OK",
        McpStatus.Error => "ERROR",
        McpStatus.CommandNotSupported => "CMD_NOT_SUPPORTED",
        McpStatus.UserNotFound => "USER_NOT_FOUND",
        McpStatus.UserExists => "USER_EXISTS",
        McpStatus.UserLimit => "USER_LIMIT",
        _ => Hex((byte)status),
    };

    /// <summary>Gets a one-line English explanation of a status, for people.</summary>
    /// <param name="status">The status byte.</param>
    /// <returns>The explanation, without a final period.</returns>
    public static string GetDescription(McpStatus status) => status switch
    {
        McpStatus.Ok => "the operation succeeded",
        McpStatus.Error => "internal error, or the request was malformed",
        McpStatus.CommandNotSupported => "the server does not implement this command",
        McpStatus.UserNotFound => "no user with that name exists",
        McpStatus.UserExists => "a user with that name already exists",
        McpStatus.UserLimit => "the maximum number of users has been reached",
        _ => "status code not defined by the protocol",
    };

    private static string Hex(byte value) => "0x" + value.ToString("X2", CultureInfo.InvariantCulture);
}
