namespace Socks.Core.AccessLog;

/// <summary>
/// Why a session ended, as the access log records it (field 12, docs/access-log.md "End reasons"). A closed set:
/// each member is written as the token in its summary, and tokens are never renamed or reused; a new way of
/// ending gets a new member and a new token, announced in docs/access-log.md.
/// </summary>
public enum AccessLogEndReason : byte
{
    /// <summary><c>ok</c>: the relay ended with end-of-file in both directions.</summary>
    Ok = 0,

    /// <summary><c>auth-failed</c>: the RFC 1929 username/password was wrong (status X'01' was sent).</summary>
    AuthFailed = 1,

    /// <summary><c>no-acceptable-method</c>: the greeting offered no method the server accepts (METHOD X'FF' was sent).</summary>
    NoAcceptableMethod = 2,

    /// <summary>
    /// <c>bad-version</c>: the first byte was not X'05', so the client does not speak SOCKS5 (a SOCKS4 client, an
    /// HTTP or TLS client on the wrong port); closed without a reply.
    /// </summary>
    BadVersion = 3,

    /// <summary>
    /// <c>bad-request</c>: a later handshake message was malformed (bad RFC 1929 version, bad request version, unknown
    /// address type, empty domain name); closed after the reply the protocol has for it, if any.
    /// </summary>
    BadRequest = 4,

    /// <summary><c>command-not-supported</c>: the request's command is not served (REP X'07' was sent).</summary>
    CommandNotSupported = 5,

    /// <summary><c>handshake-timeout</c>: the handshake did not finish within the handshake timeout.</summary>
    HandshakeTimeout = 6,

    /// <summary><c>denied</c>: the access policy refused the session (after accept, after authentication, or the request).</summary>
    Denied = 7,

    /// <summary><c>dial-failed</c>: the destination could not be reached, or the outbound socket could not be made (REP X'01'-X'06').</summary>
    DialFailed = 8,

    /// <summary><c>connection-limit</c>: the server was at its connection limit; the client was closed at once, nothing read.</summary>
    ConnectionLimit = 9,

    /// <summary><c>idle-timeout</c>: no data moved in either direction for the idle timeout.</summary>
    IdleTimeout = 10,

    /// <summary><c>client-closed</c>: the client closed (end-of-file) before its handshake was complete.</summary>
    ClientClosed = 11,

    /// <summary><c>client-reset</c>: the client's connection failed (reset, broken pipe), in the handshake or relaying.</summary>
    ClientReset = 12,

    /// <summary><c>target-reset</c>: the destination's connection failed (reset, broken pipe) while relaying.</summary>
    TargetReset = 13,

    /// <summary><c>revoked</c>: the session's user was removed, or the user's sessions were closed on request.</summary>
    Revoked = 14,

    /// <summary><c>shutdown</c>: the server stopped and the drain deadline passed while the session was open.</summary>
    Shutdown = 15,

    /// <summary><c>aborted</c>: the session's sockets were closed under it without any of the reasons above.</summary>
    Aborted = 16,

    /// <summary><c>internal-error</c>: a bug of the server ended the session (it is logged as an error).</summary>
    InternalError = 17,

    /// <summary><c>bind-timeout</c>: no peer connected to a BIND's listening socket within the bind timeout (REP X'06' was sent).</summary>
    BindTimeout = 18,

    /// <summary><c>resolve-failed</c>: a RESOLVE or RESOLVE_PTR found no address or name (REP X'04'), or the lookup failed (X'01', X'06').</summary>
    ResolveFailed = 19,

    /// <summary><c>user-limit</c>: the user already had as many sessions open as its limit allows (REP X'02' was sent).</summary>
    UserLimit = 20,

    /// <summary><c>quota</c>: the user's traffic quota for the period is used up: the request was refused (REP X'02'), or the running session was closed.</summary>
    Quota = 21,
}
