using System.Net.Sockets;
using Socks.Core.Metrics;

namespace Socks.Core.Relay;

/// <summary>What a session hands to an <see cref="IRelay"/>: both legs and what watches them.</summary>
internal readonly struct RelayRequest
{
    /// <summary>The client leg.</summary>
    public required Socket Client { get; init; }

    /// <summary>The target leg, connected.</summary>
    public required Socket Target { get; init; }

    /// <summary>
    /// Bytes the handshake already read from the client behind its request; forwarded to the target
    /// before anything else. Already counted as read in <see cref="Traffic"/>.
    /// </summary>
    public ReadOnlyMemory<byte> PendingClientData { get; init; }

    /// <summary>
    /// Called once <see cref="PendingClientData"/> is no longer needed (forwarded, or its write
    /// failed), before the relay proper starts: the session gives the handshake buffer back then.
    /// </summary>
    public Action? PendingForwarded { get; init; }

    /// <summary>The session's byte counters; the relay adds every byte it reads and writes.</summary>
    public required SessionTraffic Traffic { get; init; }

    /// <summary>What each direction reports its activity to; no hook when nothing is switched on.</summary>
    public RelayHooks Hooks { get; init; }

    /// <summary>Aborts both legs (closes the sockets); the relay calls it at most once, on the first failure.</summary>
    public required Action Abort { get; init; }
}
