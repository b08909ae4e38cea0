using System.Globalization;
using System.Net.Sockets;
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

    /// <summary>True when the session was sent REP X'00'.</summary>
    public bool Succeeded => Reply == ReplyCode.Succeeded;

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
        _ => Reason.ToString(),
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
