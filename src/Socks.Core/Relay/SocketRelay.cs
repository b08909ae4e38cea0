using System.Net.Sockets;
using Socks.Core.Metrics;

namespace Socks.Core.Relay;

/// <summary>
/// Relays a connected client and target in both directions until both are done: two one-way
/// <see cref="SocketCopier"/>s and this coordinator. EOF in one direction half-closes the other leg
/// (the copier does <c>Shutdown(Send)</c>) and the other direction keeps draining; an error in
/// either direction aborts both legs, and the coordinator still awaits the other copier so that no
/// buffer or pending operation outlives the relay.
/// </summary>
internal sealed class SocketRelay
{
    private readonly SocketCopier _clientToTarget;
    private readonly SocketCopier _targetToClient;
    private readonly Action _abort;
    private int _aborted;

    /// <summary>Prepares the relay.</summary>
    /// <param name="client">The client leg.</param>
    /// <param name="target">The target leg.</param>
    /// <param name="bufferSize">Size of a pooled chunk buffer.</param>
    /// <param name="metrics">The server's counters.</param>
    /// <param name="idle">The idle timer to touch on activity, or null.</param>
    /// <param name="tap">The traffic observer, or null.</param>
    /// <param name="abort">Aborts both legs (closes the sockets); called at most once, by the relay on an error.</param>
    public SocketRelay(Socket client, Socket target, int bufferSize, SocksMetrics metrics, ActivityTimer? idle, TrafficTap? tap, Action abort)
    {
        _abort = abort;
        _clientToTarget = new SocketCopier(client, target, fromClient: true, bufferSize, metrics, idle, tap);
        _targetToClient = new SocketCopier(target, client, fromClient: false, bufferSize, metrics, idle, tap);
    }

    /// <summary>Bytes forwarded from the client to the target so far.</summary>
    public long ClientToTarget => _clientToTarget.BytesCopied;

    /// <summary>Bytes forwarded from the target to the client so far.</summary>
    public long TargetToClient => _targetToClient.BytesCopied;

    /// <summary>
    /// Forwards bytes the client sent right behind its request, before <see cref="RunAsync"/>.
    /// </summary>
    /// <param name="pendingClientData">The bytes.</param>
    /// <returns>Null when forwarded; the relay's outcome when the target failed (both legs are then aborted).</returns>
    public async Task<RelayResult?> ForwardPendingAsync(ReadOnlyMemory<byte> pendingClientData)
    {
        var forwarded = await _clientToTarget.ForwardPendingAsync(pendingClientData).ConfigureAwait(false);
        if (forwarded.Result == CopyResult.Completed)
        {
            return null;
        }

        AbortOnce();
        return Result(forwarded.Error == SocketError.OperationAborted ? RelayEnd.Aborted : RelayEnd.TargetFailed, forwarded.Error);
    }

    /// <summary>Relays until both directions are done.</summary>
    /// <returns>The outcome; never throws for socket errors.</returns>
    public async Task<RelayResult> RunAsync()
    {
        var upstream = _clientToTarget.RunAsync();
        var downstream = _targetToClient.RunAsync();
        var first = await Task.WhenAny(upstream, downstream).ConfigureAwait(false);
        var firstOutcome = await first.ConfigureAwait(false);
        if (firstOutcome.Result != CopyResult.Completed)
        {
            AbortOnce();
        }

        var secondOutcome = await (first == upstream ? downstream : upstream).ConfigureAwait(false);
        if (secondOutcome.Result != CopyResult.Completed)
        {
            AbortOnce();
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
    }

    private RelayResult Result(RelayEnd end, SocketError error) => new(end, error, ClientToTarget, TargetToClient);

    private void AbortOnce()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            _abort();
        }
    }
}
