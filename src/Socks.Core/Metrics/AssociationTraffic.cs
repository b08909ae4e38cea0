namespace Socks.Core.Metrics;

/// <summary>
/// What one UDP association relayed: datagrams and DATA bytes each way, and its drops. Datagram and byte counters have
/// one writer each (the relay loop of that direction), published with <see cref="Volatile.Write(ref long, long)"/>
/// like <see cref="SessionTraffic"/>; drops, the unusual path, are interlocked (both loops drop).
/// </summary>
/// <remarks>
/// <see cref="SocksMetrics.OpenAssociation"/> creates it and registers it as open, so a snapshot reads it live;
/// <see cref="SocksMetrics.AssociationEnded"/> moves it into the closed totals.
/// </remarks>
internal sealed class AssociationTraffic
{
    private const int ReasonCount = 8;

    private readonly long[] _drops = new long[ReasonCount];
    private long _datagramsClientToTarget;
    private long _datagramsTargetToClient;
    private long _bytesClientToTarget;
    private long _bytesTargetToClient;
    private long _dropped;

    /// <summary>Datagrams sent to destinations.</summary>
    public long DatagramsClientToTarget => Volatile.Read(ref _datagramsClientToTarget);

    /// <summary>Datagrams sent to the client.</summary>
    public long DatagramsTargetToClient => Volatile.Read(ref _datagramsTargetToClient);

    /// <summary>DATA bytes sent to destinations.</summary>
    public long BytesClientToTarget => Volatile.Read(ref _bytesClientToTarget);

    /// <summary>DATA bytes sent to the client (without the headers the relay added).</summary>
    public long BytesTargetToClient => Volatile.Read(ref _bytesTargetToClient);

    /// <summary>Datagrams dropped, for every reason.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Datagrams dropped for <paramref name="reason"/>.</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The count.</returns>
    public long DroppedFor(UdpDropReason reason) => Volatile.Read(ref _drops[(int)reason]);

    /// <summary>Counts a datagram sent to a destination; only the client-side loop calls it.</summary>
    /// <param name="bytes">Its DATA bytes.</param>
    public void AddClientToTarget(int bytes)
    {
        Volatile.Write(ref _datagramsClientToTarget, _datagramsClientToTarget + 1);
        Volatile.Write(ref _bytesClientToTarget, _bytesClientToTarget + bytes);
    }

    /// <summary>Counts a datagram sent to the client; only the outside loop calls it.</summary>
    /// <param name="bytes">Its DATA bytes.</param>
    public void AddTargetToClient(int bytes)
    {
        Volatile.Write(ref _datagramsTargetToClient, _datagramsTargetToClient + 1);
        Volatile.Write(ref _bytesTargetToClient, _bytesTargetToClient + bytes);
    }

    /// <summary>Counts a dropped datagram.</summary>
    /// <param name="reason">Why.</param>
    public void AddDrop(UdpDropReason reason)
    {
        Interlocked.Increment(ref _drops[(int)reason]);
        Interlocked.Increment(ref _dropped);
    }
}
