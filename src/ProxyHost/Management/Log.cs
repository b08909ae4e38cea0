using System.Net.Sockets;
using Mcp.Protocol;
using Microsoft.Extensions.Logging;

namespace ProxyHost.Management;

/// <summary>
/// Log messages of the MCP listener (event ids 300-399, <see cref="EventIds.Management"/>). Connection id first; admin actions
/// name the client and its uid. User names appear only escaped
/// (<see cref="LogText.EscapeName"/>); passwords and other payload bytes never appear.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information,
        Message = "MCP management listening on {EndPoint} (at most {MaxConnections} connections, idle timeout {IdleTimeout}, frame timeout {FrameTimeout}, serving {Clients})")]
    public static partial void Listening(ILogger logger, string endPoint, int maxConnections, TimeSpan idleTimeout, TimeSpan frameTimeout, string clients);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "MCP management on {EndPoint} stopped")]
    public static partial void Stopped(ILogger logger, string endPoint);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "MCP connection {ConnectionId}: accepted from {Client} uid {Uid}")]
    public static partial void ConnectionAccepted(ILogger logger, long connectionId, string client, string uid);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "MCP connection {ConnectionId}: closed ({Reason}) after {Requests} requests")]
    public static partial void ConnectionClosed(ILogger logger, long connectionId, McpCloseReason reason, long requests);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning,
        Message = "MCP connection limit ({MaxConnections}) reached and no connection is idle or stalled in the newest slot: new admin connections are closed at once (logged at most every 30 s)")]
    public static partial void ConnectionLimitReached(ILogger logger, int maxConnections);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "MCP connection from {Client} closed at once: {MaxConnections} connections are being served")]
    public static partial void ConnectionRejected(ILogger logger, string client, int maxConnections);

    [LoggerMessage(EventId = 306, Level = LogLevel.Debug, Message = "MCP connection {ConnectionId}: malformed request ({Reason}: {Detail}); answered ERROR")]
    public static partial void MalformedRequest(ILogger logger, long connectionId, McpFrameErrorReason reason, string detail);

    [LoggerMessage(EventId = 307, Level = LogLevel.Information, Message = "MCP connection {ConnectionId} from {Client}: {Detail}; answered ERROR and closed (logged at most every 30 s)")]
    public static partial void UnsupportedVersion(ILogger logger, long connectionId, string client, string detail);

    [LoggerMessage(EventId = 308, Level = LogLevel.Debug, Message = "MCP connection {ConnectionId}: unknown command {Command}; answered CMD_NOT_SUPPORTED")]
    public static partial void UnknownCommand(ILogger logger, long connectionId, string command);

    [LoggerMessage(EventId = 309, Level = LogLevel.Information, Message = "MCP connection {ConnectionId} from {Client} uid {Uid}: user \"{User}\" added")]
    public static partial void UserAdded(ILogger logger, long connectionId, string client, string uid, string user);

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "MCP connection {ConnectionId} from {Client} uid {Uid}: user \"{User}\" removed")]
    public static partial void UserRemoved(ILogger logger, long connectionId, string client, string uid, string user);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "MCP connection {ConnectionId} from {Client} uid {Uid}: {Command} \"{User}\" refused: {Status}")]
    public static partial void UserChangeRefused(ILogger logger, long connectionId, string client, string uid, string command, string user, string status);

    [LoggerMessage(EventId = 312, Level = LogLevel.Information, Message = "MCP connection {ConnectionId} from {Client} uid {Uid}: dissector switched {State}")]
    public static partial void DissectorToggled(ILogger logger, long connectionId, string client, string uid, string state);

    [LoggerMessage(EventId = 313, Level = LogLevel.Error, Message = "MCP connection {ConnectionId}: {Command} failed in the backend; answered ERROR")]
    public static partial void BackendFailed(ILogger logger, long connectionId, string command, Exception exception);

    [LoggerMessage(EventId = 314, Level = LogLevel.Debug, Message = "MCP connection {ConnectionId}: no progress for {IdleTimeout}; closing")]
    public static partial void IdleTimeout(ILogger logger, long connectionId, TimeSpan idleTimeout);

    [LoggerMessage(EventId = 315, Level = LogLevel.Debug, Message = "MCP connection {ConnectionId}: connection failed: {Error}")]
    public static partial void ConnectionError(ILogger logger, long connectionId, SocketError error);

    [LoggerMessage(EventId = 316, Level = LogLevel.Error, Message = "MCP connection {ConnectionId}: failed unexpectedly")]
    public static partial void ConnectionFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(EventId = 317, Level = LogLevel.Warning,
        Message = "MCP accept on {EndPoint} failed ({Error}); retrying in {BackoffMs} ms")]
    public static partial void AcceptFailed(ILogger logger, string endPoint, SocketError error, long backoffMs);

    [LoggerMessage(EventId = 318, Level = LogLevel.Information, Message = "MCP accept on {EndPoint} works again after {Failures} failures")]
    public static partial void AcceptRecovered(ILogger logger, string endPoint, long failures);

    [LoggerMessage(EventId = 319, Level = LogLevel.Warning,
        Message = "MCP management stop: {Open} connections were still finishing a command when the stop deadline passed")]
    public static partial void StopIncomplete(ILogger logger, int open);

    [LoggerMessage(EventId = 320, Level = LogLevel.Warning,
        Message = "MCP connection {ConnectionId} from {Client} refused: uid {Uid} is not allowed (allowed: uid {Allowed}; socks5d --mcp-allow-uid adds more); answered ERROR and closed")]
    public static partial void ClientNotAllowed(ILogger logger, long connectionId, string client, uint uid, string allowed);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning,
        Message = "MCP connection {ConnectionId} from {Client} refused: its uid is unknown ({Reason}); only --mcp-allow-uid any serves such clients; answered ERROR and closed")]
    public static partial void ClientUnidentified(ILogger logger, long connectionId, string client, string reason);

    [LoggerMessage(EventId = 322, Level = LogLevel.Information, Message = "MCP socket {EndPoint} was left by a server that did not stop gracefully (nobody listened on it); replaced it")]
    public static partial void StaleSocketReplaced(ILogger logger, string endPoint);

    [LoggerMessage(EventId = 323, Level = LogLevel.Information,
        Message = "MCP connection limit ({MaxConnections}) reached: closed connection {ConnectionId} from {Client} ({State}) to serve a new client from {NewClient} (logged at most every 30 s)")]
    public static partial void ConnectionReplaced(ILogger logger, int maxConnections, long connectionId, string client, string state, string newClient);

    [LoggerMessage(EventId = 324, Level = LogLevel.Warning,
        Message = "MCP connection {ConnectionId} from {Client}: a request frame was not completed within {FrameTimeout}; closed (logged at most every 30 s)")]
    public static partial void FrameTimeout(ILogger logger, long connectionId, string client, TimeSpan frameTimeout);

    // 340 on purpose, not the next free id: other changes in flight take the ids after 324.
    [LoggerMessage(EventId = 340, Level = LogLevel.Information, Message = "MCP connection {ConnectionId} from {Client} uid {Uid}: dissector set {Requested}, now {State}")]
    public static partial void DissectorSet(ILogger logger, long connectionId, string client, string uid, string requested, string state);
    // 380-389: the limits extension (issue 11), apart from the ids above so that parallel work does not collide.
    [LoggerMessage(EventId = 380, Level = LogLevel.Information,
        Message = "MCP connection {ConnectionId} from {Client} uid {Uid}: limits of user \"{User}\" set: sessions {MaxSessions}, rate up {RateUp} B/s, rate down {RateDown} B/s, quota {Quota} B per {Period} (0 = none)")]
    public static partial void LimitsSet(ILogger logger, long connectionId, string client, string uid, string user, uint maxSessions, ulong rateUp, ulong rateDown, ulong quota, string period);

    [LoggerMessage(EventId = 381, Level = LogLevel.Debug, Message = "MCP connection {ConnectionId}: malformed {Command} request answered ERROR: {Problem}")]
    public static partial void ExtensionRequestMalformed(ILogger logger, long connectionId, string command, string problem);
}
