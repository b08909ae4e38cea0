using Microsoft.Extensions.Logging;
using Socks.Core;

namespace ProxyHost.Hosting;

/// <summary>Log messages of the host (event ids 1-99).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "socks5d {Version} listening on {EndPoints} (SOCKS5, at most {MaxConnections} connections); descriptor budget: {Budget}")]
    public static partial void Listening(ILogger logger, string version, string endPoints, int maxConnections, DescriptorBudget budget);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "No users and no --allow-anonymous: every client will be refused (METHOD FF). Add users with -u user:pass, --users-file, or mcpctl add-user")]
    public static partial void NobodyCanAuthenticate(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "No users and --allow-anonymous: anyone who can reach the port can use the proxy")]
    public static partial void AnonymousAccess(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "{Signal} received: stopping; open sessions may finish for {DrainTimeout} (send the signal again to exit at once)")]
    public static partial void Stopping(ILogger logger, string signal, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "{Signal} received again: exiting at once")]
    public static partial void ExitingNow(ILogger logger, string signal);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Stopped: {Historical} connections served, {Succeeded} succeeded, {Failed} failed")]
    public static partial void Stopped(ILogger logger, long historical, long succeeded, long failed);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "IPv6 is not available; listening on IPv4 only")]
    public static partial void IPv6Unavailable(ILogger logger);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information,
        Message = "SIGUSR1: historical {Historical}, concurrent {Concurrent} (negotiating {Negotiating}, past the handshake {Established}), bytes transferred {Bytes}, successful {Succeeded}, failed {Failed}, client bytes {ClientBytes}; users {Users} of {MaxUsers}; descriptors {Descriptors}, at most {MaxConnections} connections; in use: session descriptors {SessionDescriptorsInUse} of {SessionDescriptors}, MCP connections {ManagementConnections} of {MaxManagementConnections}; GC heap {GcHeapBytes} bytes; descriptor budget: {Budget}")]
    public static partial void Statistics(
        ILogger logger, long historical, long concurrent, long negotiating, long established, long bytes, long succeeded, long failed,
        long clientBytes, int users, int maxUsers, int descriptors, int maxConnections, long sessionDescriptorsInUse, long sessionDescriptors,
        int managementConnections, int maxManagementConnections, long gcHeapBytes, DescriptorBudget budget);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning,
        Message = "An MCP connection limit of {Requested} needs more descriptors than are free (soft limit {SoftLimit}); using {Effective}. Raise ulimit -n to allow more")]
    public static partial void ManagementLimitLowered(ILogger logger, int requested, int effective, long softLimit);

    [LoggerMessage(EventId = 26, Level = LogLevel.Information,
        Message = "SIGUSR1: redis {State}, users version {Version} ({Users} users in the snapshot)")]
    public static partial void RedisStatistics(ILogger logger, string state, long version, int users);
}
