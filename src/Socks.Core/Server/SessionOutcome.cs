using System.Globalization;
using System.Net.Sockets;
using Socks.Core.AccessLog;
using Socks.Core.Protocol;

namespace Socks.Core.Server;

/// <summary>
/// How a session ended: the one value that the metrics, the "session ended" log line and the access-log record are
/// built from. The session sets the reason (with its details) where it learns it, and adds the reply and the command
/// when it ends.
/// </summary>
/// <param name="Reason">Why it ended.</param>
internal readonly record struct SessionOutcome(SessionEndReason Reason)
{
    /// <summary>The REP code sent, or null when the session ended before any reply.</summary>
    public ReplyCode? Reply { get; init; }

    /// <summary>The request's CMD octet, or null when the session ended before its request was read.</summary>
    public byte? Command { get; init; }

    /// <summary>The socket error, for <see cref="SessionEndReason.ClientFailed"/>, <see cref="SessionEndReason.TargetFailed"/> and <see cref="SessionEndReason.ConnectFailedLocally"/>.</summary>
    public SocketError Error { get; init; }

    /// <summary>The handshake message concerned, for <see cref="SessionEndReason.ClientClosedInHandshake"/> and <see cref="SessionEndReason.ProtocolViolation"/>.</summary>
    public HandshakeStep Step { get; init; }

    /// <summary>What was wrong, for <see cref="SessionEndReason.ProtocolViolation"/>.</summary>
    public SocksParseError ParseError { get; init; }

    /// <summary>The phase of the denial, for <see cref="SessionEndReason.Denied"/>.</summary>
    public AccessPhase DeniedAt { get; init; }

    /// <summary>
    /// True when the reply sent last was the first of BIND's two (RFC 1928 §6): REP X'00' announced the listening
    /// address, but no peer was relayed. Such a session did not succeed.
    /// </summary>
    public bool FirstReplyOnly { get; init; }

    /// <summary>True when the session was sent its final REP X'00' (for BIND the second).</summary>
    public bool Succeeded => Reply == ReplyCode.Succeeded && !FirstReplyOnly;

    /// <summary>The reason as the diagnostic log prints it.</summary>
    /// <returns>One short phrase.</returns>
    public string Describe() => Reason switch
    {
        SessionEndReason.ClientClosedInHandshake => $"client closed during the {NameOf(Step)}",
        SessionEndReason.ProtocolViolation => $"bad {NameOf(Step)} ({ParseError})",
        SessionEndReason.NoAcceptableMethod => "no acceptable method",
        SessionEndReason.AuthenticationFailed => "authentication failed",
        SessionEndReason.Denied => $"denied by the access policy ({DeniedAt})",
        SessionEndReason.CommandNotSupported => string.Create(CultureInfo.InvariantCulture, $"command {Command ?? 0:x2} not supported"),
        SessionEndReason.ConnectFailed => $"dial failed ({Reply})",
        SessionEndReason.ConnectFailedLocally => $"dial failed locally ({Error})",
        SessionEndReason.Completed => "completed",
        SessionEndReason.ClientFailed => $"client connection failed: {Error}",
        SessionEndReason.TargetFailed => $"target connection failed: {Error}",
        SessionEndReason.Aborted => "aborted",
        SessionEndReason.HandshakeTimeout => "handshake timeout",
        SessionEndReason.IdleTimeout => "idle timeout",
        SessionEndReason.Shutdown => "server shutdown",
        SessionEndReason.Revoked => "user revoked",
        SessionEndReason.InternalError => "internal error",
        SessionEndReason.BindTimeout => "no BIND peer within the bind timeout",
        SessionEndReason.BindPeerMismatch => "the BIND peer is not the requested host",
        SessionEndReason.ClientClosedWhileBinding => "client closed while its BIND waited for the peer",
        SessionEndReason.Resolved => "resolved",
        SessionEndReason.ResolveFailed => $"resolve failed ({Reply})",
        SessionEndReason.AssociationLimit => "no place for a UDP association under the connection limit",
        SessionEndReason.UserLimit => "the user's session limit was reached",
        SessionEndReason.QuotaExceeded => "the user's quota is used up",
        SessionEndReason.QuotaCut => "closed: the user's quota ran out",
        _ => Reason.ToString(),
    };

    /// <summary>
    /// The reason as the access log records it (docs/access-log.md "End reasons"): one of a closed set, coarser than
    /// <see cref="Reason"/> where an operator needs no more (the socket error, the policy phase are in the diagnostic log).
    /// </summary>
    /// <returns>The access-log reason.</returns>
    public AccessLogEndReason ToAccessLogReason() => Reason switch
    {
        SessionEndReason.Completed => AccessLogEndReason.Ok,
        SessionEndReason.AuthenticationFailed => AccessLogEndReason.AuthFailed,
        SessionEndReason.NoAcceptableMethod => AccessLogEndReason.NoAcceptableMethod,

        // The greeting's first byte is the only place a client of another protocol shows itself (SOCKS4 sends X'04').
        SessionEndReason.ProtocolViolation when Step == HandshakeStep.Greeting && ParseError == SocksParseError.BadVersion
            => AccessLogEndReason.BadVersion,
        SessionEndReason.ProtocolViolation => AccessLogEndReason.BadRequest,
        SessionEndReason.CommandNotSupported => AccessLogEndReason.CommandNotSupported,
        SessionEndReason.HandshakeTimeout => AccessLogEndReason.HandshakeTimeout,
        SessionEndReason.Denied => AccessLogEndReason.Denied,
        SessionEndReason.ConnectFailed or SessionEndReason.ConnectFailedLocally => AccessLogEndReason.DialFailed,
        SessionEndReason.ClientClosedInHandshake => AccessLogEndReason.ClientClosed,
        SessionEndReason.ClientFailed => AccessLogEndReason.ClientReset,
        SessionEndReason.TargetFailed => AccessLogEndReason.TargetReset,
        SessionEndReason.IdleTimeout => AccessLogEndReason.IdleTimeout,
        SessionEndReason.Revoked => AccessLogEndReason.Revoked,
        SessionEndReason.Shutdown => AccessLogEndReason.Shutdown,
        SessionEndReason.Aborted => AccessLogEndReason.Aborted,
        SessionEndReason.InternalError => AccessLogEndReason.InternalError,
        SessionEndReason.BindTimeout => AccessLogEndReason.BindTimeout,
        SessionEndReason.BindPeerMismatch => AccessLogEndReason.Denied,
        SessionEndReason.ClientClosedWhileBinding => AccessLogEndReason.ClientClosed,
        SessionEndReason.Resolved => AccessLogEndReason.Ok,
        SessionEndReason.ResolveFailed => AccessLogEndReason.ResolveFailed,
        SessionEndReason.AssociationLimit => AccessLogEndReason.ConnectionLimit,
        SessionEndReason.UserLimit => AccessLogEndReason.UserLimit,
        SessionEndReason.QuotaExceeded or SessionEndReason.QuotaCut => AccessLogEndReason.Quota,

        // Not reached: a test maps every SessionEndReason. Never throw here, on the session's cleanup path.
        _ => AccessLogEndReason.InternalError,
    };

    /// <summary>The handshake message as the diagnostic log names it.</summary>
    /// <param name="step">The step.</param>
    /// <returns>For example "username/password request".</returns>
    public static string NameOf(HandshakeStep step) => step switch
    {
        HandshakeStep.Greeting => "greeting",
        HandshakeStep.Authentication => "username/password request",
        HandshakeStep.Request => "request",
        _ => "handshake",
    };
}
