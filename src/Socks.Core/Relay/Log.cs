using Microsoft.Extensions.Logging;

namespace Socks.Core.Relay;

/// <summary>Log messages of the relay (event ids 200-299). Nothing here is logged per chunk.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Warning,
        Message = "Session {SessionId}: traffic observer {Observer} failed and is disabled for this session; the relay continues")]
    public static partial void ObserverFailed(ILogger logger, long sessionId, string observer, Exception exception);
}
