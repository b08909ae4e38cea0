namespace Socks.Core.Server;

/// <summary>Why a session ended: one value per way, set where the session learns it and read once, when it ends.</summary>
internal enum SessionEndReason : byte
{
    /// <summary>The client closed (EOF) before its handshake message was complete.</summary>
    ClientClosedInHandshake,

    /// <summary>A handshake message was invalid (see <see cref="SessionOutcome.Step"/> and <see cref="SessionOutcome.ParseError"/>).</summary>
    ProtocolViolation,

    /// <summary>The greeting offered no acceptable method: METHOD X'FF' was sent.</summary>
    NoAcceptableMethod,

    /// <summary>The RFC 1929 sub-negotiation failed.</summary>
    AuthenticationFailed,

    /// <summary>The access policy denied the session (see <see cref="SessionOutcome.DeniedAt"/>).</summary>
    Denied,

    /// <summary>The request's command is not supported: REP X'07' was sent.</summary>
    CommandNotSupported,

    /// <summary>The destination could not be reached: the connector's REP code was sent.</summary>
    ConnectFailed,

    /// <summary>The connector failed locally (no descriptor for the outbound socket, say): REP X'01' was sent.</summary>
    ConnectFailedLocally,

    /// <summary>The relay ended with EOF in both directions.</summary>
    Completed,

    /// <summary>The client's connection failed (reset, broken pipe), in the handshake or relaying.</summary>
    ClientFailed,

    /// <summary>The target's connection failed while relaying.</summary>
    TargetFailed,

    /// <summary>The relay was aborted without a reason from outside (the sockets were closed under it).</summary>
    Aborted,

    /// <summary>The handshake did not finish within the handshake timeout.</summary>
    HandshakeTimeout,

    /// <summary>No data moved for the idle timeout.</summary>
    IdleTimeout,

    /// <summary>The server stopped and the drain deadline passed.</summary>
    Shutdown,

    /// <summary>The session's user was removed.</summary>
    Revoked,

    /// <summary>A bug of ours: an unexpected exception (logged).</summary>
    InternalError,

    /// <summary>No peer connected to a BIND's listening socket within the bind timeout: REP X'06' was sent.</summary>
    BindTimeout,

    /// <summary>The peer that connected to a BIND's listening socket is not the host the request named: REP X'02' was sent.</summary>
    BindPeerMismatch,

    /// <summary>The client closed (or reset) its connection while its BIND waited for the peer.</summary>
    ClientClosedWhileBinding,

    /// <summary>A RESOLVE or RESOLVE_PTR was answered (REP X'00').</summary>
    Resolved,

    /// <summary>A RESOLVE or RESOLVE_PTR found nothing, or its lookup failed: the REP code was sent.</summary>
    ResolveFailed,

    /// <summary>A UDP ASSOCIATE found no place for its UDP sockets under the connection limit: REP X'01' was sent.</summary>
    AssociationLimit,

    /// <summary>The user had as many sessions open as its limit allows: REP X'02' was sent.</summary>
    UserLimit,

    /// <summary>The user's quota for the period was used up when the request came: REP X'02' was sent.</summary>
    QuotaExceeded,

    /// <summary>The user's quota ran out while the session relayed: it was closed.</summary>
    QuotaCut,
}
