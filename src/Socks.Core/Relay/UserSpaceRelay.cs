namespace Socks.Core.Relay;

/// <summary>
/// The relay in user space: two one-way <see cref="SocketCopier"/>s through pooled buffers, coordinated
/// by <see cref="RelayCoordinator"/>. It serves every platform and every session whose bytes something
/// must see (a traffic tap). One instance serves every session of a server.
/// </summary>
internal sealed class UserSpaceRelay : IRelay
{
    private readonly int _bufferSize;

    /// <summary>Creates the relay.</summary>
    /// <param name="bufferSize">Size of the pooled buffer a direction rents while data flows.</param>
    public UserSpaceRelay(int bufferSize) => _bufferSize = bufferSize;

    /// <summary>Size of the pooled buffer a direction rents while data flows.</summary>
    public int BufferSize => _bufferSize;

    /// <inheritdoc/>
    public async Task<RelayResult> RelayAsync(RelayRequest request)
    {
        using var clientToTarget = new SocketCopier(request.Client, request.Target, fromClient: true, _bufferSize, request.Traffic, request.Hooks.ClientToTarget);
        using var targetToClient = new SocketCopier(request.Target, request.Client, fromClient: false, _bufferSize, request.Traffic, request.Hooks.TargetToClient);
        return await RelayCoordinator.RunAsync(request, clientToTarget, targetToClient).ConfigureAwait(false);
    }
}
