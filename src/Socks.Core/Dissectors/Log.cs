using Microsoft.Extensions.Logging;
using Socks.Core.Dissectors.Pop3;

namespace Socks.Core.Dissectors;

/// <summary>Log call sites of the dissectors. Never logs traffic bytes or credentials.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Error, Message = "Session {SessionId}: the POP3 dissector failed and stopped watching this session (the session is not affected). Later failures are logged at Debug level.")]
    public static partial void ObserverFailed(ILogger logger, long sessionId, Exception exception);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "Session {SessionId}: the POP3 dissector failed ({ExceptionType}) and stopped watching this session.")]
    public static partial void ObserverFailedAgain(ILogger logger, long sessionId, string exceptionType);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Debug, Message = "Session {SessionId}: the POP3 dissector stopped watching: {Reason}.")]
    public static partial void StoppedWatching(ILogger logger, long sessionId, Pop3StopReason reason);
}
