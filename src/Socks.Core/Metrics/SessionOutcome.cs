using Socks.Core.Protocol;

namespace Socks.Core.Metrics;

/// <summary>How a session ended, as far as the counters care.</summary>
internal enum SessionEnd : byte
{
    /// <summary>Ended normally or by a peer error; nothing special to count.</summary>
    Normal,

    /// <summary>RFC 1929 sub-negotiation failed.</summary>
    AuthenticationFailed,

    /// <summary>The greeting offered no acceptable method (METHOD X'FF' sent).</summary>
    NoAcceptableMethod,

    /// <summary>The handshake did not finish within the handshake timeout.</summary>
    HandshakeTimeout,

    /// <summary>The relay was idle for longer than the idle timeout.</summary>
    IdleTimeout,
}

/// <summary>What the metrics need to know about a session that ended.</summary>
/// <param name="Succeeded">True when the session was sent REP X'00'.</param>
/// <param name="Reply">The REP code sent, or null when the session ended before any reply.</param>
/// <param name="End">The special way it ended, if any.</param>
internal readonly record struct SessionOutcome(bool Succeeded, ReplyCode? Reply, SessionEnd End);
