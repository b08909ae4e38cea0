using Microsoft.Extensions.Logging;

namespace Socks.Users.Redis;

/// <summary>Log messages of the Redis user store (event ids 1100-1199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning,
        Message = "Redis {EndPoint} is unreachable ({Problem}); new logins are {Mode} from the last snapshot of {Count} users until it is back, changes are refused")]
    public static partial void Offline(ILogger logger, string endPoint, string problem, string mode, int count);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
        Message = "Redis {EndPoint} is reachable again; the users are resynchronised ({Count} users, version {Version})")]
    public static partial void Online(ILogger logger, string endPoint, int count, long version);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information,
        Message = "Users from Redis {EndPoint} (prefix '{Prefix}'): version {Version}, {Added} added, {Removed} removed, {Changed} changed, {Count} users")]
    public static partial void Synchronized(ILogger logger, string endPoint, string prefix, long version, int added, int removed, int changed, int count);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error,
        Message = "The users in Redis {EndPoint} are not valid, the snapshot is kept: {Problem}")]
    public static partial void BadRecords(ILogger logger, string endPoint, string problem);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning,
        Message = "The users version in Redis {EndPoint} went back from {Applied} to {Version}: Redis lost changes (see docs/fleet.md, \"Durability\"); its users are taken as they are")]
    public static partial void VersionWentBack(ILogger logger, string endPoint, long applied, long version);
}
