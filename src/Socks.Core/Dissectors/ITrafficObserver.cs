namespace Socks.Core.Dissectors;

/// <summary>
/// Watches a copy of the bytes a session relays, in both directions, without changing or holding
/// them back. The relay calls it synchronously with each chunk it has just forwarded, so it must be
/// quick and must not block. It is called from the two directions' copiers, possibly concurrently.
/// </summary>
public interface ITrafficObserver
{
    /// <summary>True once the observer has seen all it wants; the relay then stops calling it.</summary>
    bool IsFinished { get; }

    /// <summary>Bytes the client sent, forwarded to the target.</summary>
    /// <param name="data">The chunk; valid only during the call.</param>
    void OnClientData(ReadOnlySpan<byte> data);

    /// <summary>Bytes the target sent, forwarded to the client.</summary>
    /// <param name="data">The chunk; valid only during the call.</param>
    void OnTargetData(ReadOnlySpan<byte> data);
}
