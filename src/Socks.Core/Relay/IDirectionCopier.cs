namespace Socks.Core.Relay;

/// <summary>
/// One direction of a relay, from a source socket to a destination socket: the user-space
/// <see cref="SocketCopier"/> or the kernel's <see cref="SpliceCopier"/>. <see cref="RelayCoordinator"/> runs two.
/// </summary>
internal interface IDirectionCopier : IDisposable
{
    /// <summary>Copies until the source sends EOF (then shuts down sending on the destination) or an error.</summary>
    /// <returns>How the direction ended; never throws for socket errors.</returns>
    Task<CopyOutcome> RunAsync();

    /// <summary>
    /// Forwards bytes the handshake already read from the client (data pipelined right behind the
    /// request). They were counted as read when the handshake read them.
    /// </summary>
    /// <param name="data">The bytes.</param>
    /// <returns>How the write ended.</returns>
    Task<CopyOutcome> ForwardPendingAsync(ReadOnlyMemory<byte> data);
}
