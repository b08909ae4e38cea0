using System.Net.Sockets;

namespace Socks.Core.Relay;

/// <summary>
/// The relay in user space: two one-way <see cref="SocketCopier"/>s through pooled buffers, and the
/// coordination in <see cref="RelayAsync"/>. EOF in one direction half-closes the other leg (the
/// copier does <c>Shutdown(Send)</c>) and the other direction keeps draining; an error in either
/// direction aborts both legs, and the other copier is still awaited so that no buffer or pending
/// operation outlives the relay. One instance serves every session of a server.
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
        var traffic = request.Traffic;

        // The counters already hold the handshake's bytes; the result reports what this relay forwarded.
        var targetSentAtStart = traffic.TargetSent;
        var clientSentAtStart = traffic.ClientSent;
        using var clientToTarget = new SocketCopier(request.Client, request.Target, fromClient: true, _bufferSize, traffic, request.Hooks.ClientToTarget);

        // Data the client pipelined behind its request goes first; then the session's buffer is not needed.
        CopyOutcome? failedPending = null;
        if (!request.PendingClientData.IsEmpty)
        {
            var forwarded = await clientToTarget.ForwardPendingAsync(request.PendingClientData).ConfigureAwait(false);
            if (forwarded.Result != CopyResult.Completed)
            {
                request.Abort();
                failedPending = forwarded;
            }
        }

        request.PendingForwarded?.Invoke();
        if (failedPending is { } failed)
        {
            return Result(failed.Error == SocketError.OperationAborted ? RelayEnd.Aborted : RelayEnd.TargetFailed, failed.Error);
        }

        using var targetToClient = new SocketCopier(request.Target, request.Client, fromClient: false, _bufferSize, traffic, request.Hooks.TargetToClient);
        var upstream = clientToTarget.RunAsync();
        var downstream = targetToClient.RunAsync();
        var first = await Task.WhenAny(upstream, downstream).ConfigureAwait(false);
        var firstOutcome = await first.ConfigureAwait(false);
        var aborted = false;
        if (firstOutcome.Result != CopyResult.Completed)
        {
            request.Abort();
            aborted = true;
        }

        var secondOutcome = await (first == upstream ? downstream : upstream).ConfigureAwait(false);
        if (secondOutcome.Result != CopyResult.Completed && !aborted)
        {
            request.Abort();
        }

        if (firstOutcome.Result == CopyResult.Completed && secondOutcome.Result == CopyResult.Completed)
        {
            return Result(RelayEnd.Completed, SocketError.Success);
        }

        // The first failure is the cause; the other direction then fails because of the abort.
        var (cause, causeIsUpstream) = firstOutcome.Result != CopyResult.Completed
            ? (firstOutcome, first == upstream)
            : (secondOutcome, first != upstream);
        if (cause.Error == SocketError.OperationAborted)
        {
            return Result(RelayEnd.Aborted, cause.Error);
        }

        // Upstream reads the client and writes the target; downstream the reverse.
        var clientFailed = causeIsUpstream == (cause.Result == CopyResult.ReadFailed);
        return Result(clientFailed ? RelayEnd.ClientFailed : RelayEnd.TargetFailed, cause.Error);

        // Only this relay writes to the target, and the client gets nothing else once it relays.
        RelayResult Result(RelayEnd end, SocketError error) =>
            new(end, error, traffic.TargetSent - targetSentAtStart, traffic.ClientSent - clientSentAtStart);
    }
}
