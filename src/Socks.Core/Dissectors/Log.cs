using Microsoft.Extensions.Logging;

namespace Socks.Core.Dissectors;

/// <summary>Log call sites of the dissectors. Never logs traffic bytes or credentials.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Error, Message = "Session {SessionId}: the {Protocol} dissector failed and stopped watching this session (the session is not affected). Later failures are logged at Debug level.")]
    public static partial void ObserverFailed(ILogger logger, string protocol, long sessionId, Exception exception);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "Session {SessionId}: the {Protocol} dissector failed ({ExceptionType}) and stopped watching this session.")]
    public static partial void ObserverFailedAgain(ILogger logger, string protocol, long sessionId, string exceptionType);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Debug, Message = "Session {SessionId}: the {Protocol} dissector stopped watching: {Reason}.")]
    public static partial void StoppedWatching(ILogger logger, string protocol, long sessionId, StopReason reason);
}
