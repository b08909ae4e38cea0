namespace Socks.Core.Server;

/// <summary>Why a session was aborted from outside its own flow.</summary>
internal enum SessionAbortReason
{
    /// <summary>Not aborted.</summary>
    None,

    /// <summary>The handshake did not finish within the handshake timeout.</summary>
    HandshakeTimeout,

    /// <summary>No data in either direction for the idle timeout.</summary>
    IdleTimeout,

    /// <summary>The server stopped and the drain deadline passed.</summary>
    Shutdown,

    /// <summary>The session's user was removed or its sessions closed on request.</summary>
    Revoked,

    /// <summary>The session's user used up its traffic quota.</summary>
    Quota,
}
