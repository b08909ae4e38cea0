namespace Socks.Core.Metrics;

/// <summary>
/// The bytes one session read and wrote, one counter per leg and direction. Each counter has one
/// writer at a time (the handshake, then the relay direction that reads or writes that socket), so
/// an update is a plain add published with <see cref="Volatile.Write(ref long, long)"/>: no
/// interlocked operation and no shared cache line with other sessions on the relay's hot path.
/// </summary>
/// <remarks>
/// <see cref="SocksMetrics.OpenTraffic"/> creates it and registers it as open, so a snapshot reads it
/// live; <see cref="SocksMetrics.SessionEnded"/> moves it into the closed totals. Writers:
/// client received = handshake reads, then the client-to-target direction; client sent = handshake
/// replies, then the target-to-client direction; target received = the target-to-client direction;
/// target sent = the client-to-target direction.
/// </remarks>
internal sealed class SessionTraffic
{
    private long _clientReceived;
    private long _clientSent;
    private long _targetReceived;
    private long _targetSent;

    /// <summary>Bytes read from the client socket.</summary>
    public long ClientReceived => Volatile.Read(ref _clientReceived);

    /// <summary>Bytes written to the client socket.</summary>
    public long ClientSent => Volatile.Read(ref _clientSent);

    /// <summary>Bytes read from the target socket.</summary>
    public long TargetReceived => Volatile.Read(ref _targetReceived);

    /// <summary>Bytes written to the target socket.</summary>
    public long TargetSent => Volatile.Read(ref _targetSent);

    /// <summary>Bytes read from and written to the client socket.</summary>
    public long ClientBytes => ClientReceived + ClientSent;

    /// <summary>Bytes read from and written to the target socket.</summary>
    public long TargetBytes => TargetReceived + TargetSent;

    /// <summary>Counts bytes read from the client socket; only the current writer of this counter calls it.</summary>
    /// <param name="count">How many.</param>
    public void AddClientReceived(int count) => Volatile.Write(ref _clientReceived, _clientReceived + count);

    /// <summary>Counts bytes written to the client socket; only the current writer of this counter calls it.</summary>
    /// <param name="count">How many.</param>
    public void AddClientSent(int count) => Volatile.Write(ref _clientSent, _clientSent + count);

    /// <summary>Counts bytes read from the target socket; only the current writer of this counter calls it.</summary>
    /// <param name="count">How many.</param>
    public void AddTargetReceived(int count) => Volatile.Write(ref _targetReceived, _targetReceived + count);

    /// <summary>Counts bytes written to the target socket; only the current writer of this counter calls it.</summary>
    /// <param name="count">How many.</param>
    public void AddTargetSent(int count) => Volatile.Write(ref _targetSent, _targetSent + count);
}
