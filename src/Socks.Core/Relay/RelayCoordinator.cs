using System.Net.Sockets;

namespace Socks.Core.Relay;

/// <summary>
/// The coordination of a relay's two directions, whichever copier moves the bytes: the client's pending
/// data first, then both directions at once. EOF in one direction half-closes the other leg (the copier
/// does <c>Shutdown(Send)</c>) and the other direction keeps draining; an error in either direction
/// aborts both legs, and the other copier is still awaited so that no buffer, pipe or pending operation
/// outlives the relay.
/// </summary>
internal static class RelayCoordinator
{
    /// <summary>Runs a relay with the given copiers; the caller disposes them afterwards.</summary>
    /// <param name="request">What to relay.</param>
    /// <param name="clientToTarget">The client-to-target copier; it also forwards the pending data.</param>
    /// <param name="targetToClient">The target-to-client copier.</param>
    /// <returns>How the relay ended and the bytes it forwarded each way.</returns>
    public static async Task<RelayResult> RunAsync(RelayRequest request, IDirectionCopier clientToTarget, IDirectionCopier targetToClient)
    {
        var traffic = request.Traffic;

        // The counters already hold the handshake's bytes; the result reports what this relay forwarded.
        var targetSentAtStart = traffic.TargetSent;
        var clientSentAtStart = traffic.ClientSent;

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
