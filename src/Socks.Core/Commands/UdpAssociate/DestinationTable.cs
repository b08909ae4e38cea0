using System.Collections.Concurrent;
using System.Net;

namespace Socks.Core.Commands.UdpAssociate;

/// <summary>
/// The destinations one association has sent to, each with the access policy's verdict: asked once per distinct
/// destination (<see cref="AccessPhase.Resolved"/>), then looked up per datagram without allocating. Datagrams from
/// the outside are relayed to the client only from a destination it was allowed to send to.
/// </summary>
/// <remarks>
/// Written by the client-side loop, read by both loops. At most <see cref="Capacity"/> destinations (denied ones
/// included); a datagram to a new destination beyond that is dropped.
/// </remarks>
internal sealed class DestinationTable
{
    /// <summary>The most destinations per association.</summary>
    public const int Capacity = 1024;

    private readonly ConcurrentDictionary<SocketAddress, bool> _verdicts = new();
    private int _allowed;

    /// <summary>Destinations the policy allowed.</summary>
    public int AllowedCount => Volatile.Read(ref _allowed);

    /// <summary>True when the table is full.</summary>
    public bool IsFull => _verdicts.Count >= Capacity;

    /// <summary>The verdict for <paramref name="destination"/>, when it was decided before.</summary>
    /// <param name="destination">The destination (the receive buffer's address: only compared).</param>
    /// <param name="allowed">The verdict.</param>
    /// <returns>True when known.</returns>
    public bool TryGet(SocketAddress destination, out bool allowed) => _verdicts.TryGetValue(destination, out allowed);

    /// <summary>True when datagrams from <paramref name="source"/> go to the client: it is an allowed destination.</summary>
    /// <param name="source">The datagram's source.</param>
    /// <returns>True when allowed.</returns>
    public bool IsAllowed(SocketAddress source) => _verdicts.TryGetValue(source, out var allowed) && allowed;

    /// <summary>Records the verdict for a new destination.</summary>
    /// <param name="destination">The destination; copied.</param>
    /// <param name="allowed">The verdict.</param>
    public void Add(SocketAddress destination, bool allowed)
    {
        if (_verdicts.TryAdd(SocketAddresses.Copy(destination), allowed) && allowed)
        {
            Interlocked.Increment(ref _allowed);
        }
    }
}
