using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Socks.Core.Protocol;

namespace Socks.Core.Server;

/// <summary>Log messages of the server and its sessions (event ids 100-199). Session id first.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Session {SessionId}: accepted from {Client}")]
    public static partial void SessionAccepted(ILogger logger, long sessionId, IPEndPoint client);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug,
        Message = "Session {SessionId}: ended ({Reason}), reply {Reply}, {ClientToTarget} bytes to target, {TargetToClient} bytes to client")]
    public static partial void SessionEnded(ILogger logger, long sessionId, string reason, string reply, long clientToTarget, long targetToClient);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Session {SessionId}: handshake not finished within {Timeout}; closed")]
    public static partial void HandshakeTimedOut(ILogger logger, long sessionId, TimeSpan timeout);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Session {SessionId}: protocol violation by the client: {Violation}")]
    public static partial void ProtocolViolation(ILogger logger, long sessionId, string violation);

    // 104 was "authentication failed" at Debug, without the name or the client; 125 replaced it.

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "Session {SessionId}: client connection failed during the handshake: {Error}")]
    public static partial void HandshakeIoError(ILogger logger, long sessionId, SocketError error);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "Session {SessionId}: failed unexpectedly")]
    public static partial void SessionFailed(ILogger logger, long sessionId, Exception exception);

    [LoggerMessage(EventId = 107, Level = LogLevel.Debug, Message = "Session {SessionId}: request refused with reply {Reply}")]
    public static partial void RequestRefused(ILogger logger, long sessionId, ReplyCode reply);

    [LoggerMessage(EventId = 108, Level = LogLevel.Debug, Message = "Session {SessionId}: no acceptable authentication method offered")]
    public static partial void NoAcceptableMethod(ILogger logger, long sessionId);

    [LoggerMessage(EventId = 109, Level = LogLevel.Debug, Message = "Session {SessionId}: idle for {Timeout}; closed")]
    public static partial void IdleTimedOut(ILogger logger, long sessionId, TimeSpan timeout);

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning,
        Message = "Accept on {EndPoint} failed: {Error} (out of descriptors or socket buffers); retrying in {DelayMs} ms. Existing sessions continue")]
    public static partial void AcceptResourcesExhausted(ILogger logger, EndPoint endPoint, SocketError error, long delayMs);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Accepting on {EndPoint} again after {Failures} failed attempts")]
    public static partial void AcceptRecovered(ILogger logger, EndPoint endPoint, long failures);

    [LoggerMessage(EventId = 112, Level = LogLevel.Error, Message = "Accept on {EndPoint} failed: {Error}; retrying in {DelayMs} ms")]
    public static partial void AcceptFailed(ILogger logger, EndPoint endPoint, SocketError error, long delayMs);

    [LoggerMessage(EventId = 113, Level = LogLevel.Warning,
        Message = "Connection limit of {MaxConnections} reached: new clients are closed at once until sessions end")]
    public static partial void ConnectionLimitReached(ILogger logger, int maxConnections);

    [LoggerMessage(EventId = 114, Level = LogLevel.Information,
        Message = "Below the connection limit again; {Rejected} clients were closed at the limit so far")]
    public static partial void ConnectionLimitCleared(ILogger logger, long rejected);

    [LoggerMessage(EventId = 115, Level = LogLevel.Information, Message = "Listeners closed; draining {Sessions} sessions for up to {Timeout}")]
    public static partial void Draining(ILogger logger, int sessions, TimeSpan timeout);

    [LoggerMessage(EventId = 116, Level = LogLevel.Warning, Message = "Drain deadline passed; aborting {Sessions} sessions")]
    public static partial void DrainAborting(ILogger logger, int sessions);

    [LoggerMessage(EventId = 117, Level = LogLevel.Information, Message = "Closed {Sessions} open sessions of a removed user")]
    public static partial void SessionsRevoked(ILogger logger, int sessions);

    [LoggerMessage(EventId = 118, Level = LogLevel.Error, Message = "Session {SessionId}: the access log sink failed; record lost")]
    public static partial void AccessLogFailed(ILogger logger, long sessionId, Exception exception);

    [LoggerMessage(EventId = 119, Level = LogLevel.Warning, Message = "Session {SessionId}: the traffic observer factory failed; the session is not watched")]
    public static partial void ObserverFactoryFailed(ILogger logger, long sessionId, Exception exception);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning,
        Message = "A connection limit of {Requested} needs more descriptors than are free (soft limit {SoftLimit}); using {Effective}. Raise ulimit -n to allow more")]
    public static partial void ConnectionLimitLowered(ILogger logger, int requested, int effective, long softLimit);

    [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "Session {SessionId}: dialing failed locally: {Error}")]
    public static partial void DialFailedLocally(ILogger logger, long sessionId, SocketError error);

    [LoggerMessage(EventId = 123, Level = LogLevel.Warning, Message = "Session {SessionId}: the traffic observer failed while being disposed")]
    public static partial void ObserverDisposeFailed(ILogger logger, long sessionId, Exception exception);

    [LoggerMessage(EventId = 124, Level = LogLevel.Debug, Message = "Session {SessionId}: denied by the access policy at {Phase} (reply {Reply})")]
    public static partial void AccessDenied(ILogger logger, long sessionId, AccessPhase phase, ReplyCode reply);

    /// <summary>A failed RFC 1929 login: one warning each, naming the client and the escaped name tried (never the password).</summary>
    [LoggerMessage(EventId = 125, Level = LogLevel.Warning, Message = "Session {SessionId}: authentication failed for user \"{User}\" from {Client}")]
    public static partial void AuthenticationFailed(ILogger logger, long sessionId, string user, IPEndPoint client);

    [LoggerMessage(EventId = 120, Level = LogLevel.Debug, Message = "Session {SessionId}: connected to {Target}")]
    public static partial void Connected(ILogger logger, long sessionId, IPEndPoint target);

    // 140-149: per-user limits (issue 11); kept apart from the ids above so that parallel work does not collide.
    [LoggerMessage(EventId = 140, Level = LogLevel.Debug, Message = "Session {SessionId}: refused, the user's {Limit} is reached")]
    public static partial void UserLimitReached(ILogger logger, long sessionId, string limit);

    [LoggerMessage(EventId = 141, Level = LogLevel.Information, Message = "User \"{User}\" used up its traffic quota; {Closed} open sessions closed")]
    public static partial void QuotaUsedUp(ILogger logger, string user, int closed);
}
