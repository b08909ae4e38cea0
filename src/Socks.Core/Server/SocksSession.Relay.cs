using System.Net.Sockets;
using Socks.Core.Dialing;
using Socks.Core.Dissectors;
using Socks.Core.Protocol;
using Socks.Core.Relay;

namespace Socks.Core.Server;

/// <summary>Dial, reply, relay (RFC 1928 §6: the reply carries the outbound connection's local address).</summary>
internal sealed partial class SocksSession
{
    private async Task ConnectAndRelayAsync(SocksRequest request, HandshakeBuffer handshake)
    {
        DialResult result;
        try
        {
            result = await _context.Dialer.DialAsync(request, Closed).ConfigureAwait(false);
        }
        catch (SocketException exception) when (AbortReason == SessionAbortReason.None)
        {
            // A local failure, not the destination's answer (no descriptor for the outbound socket,
            // say): the client still gets a reply, X'01' general failure.
            Log.DialFailedLocally(_context.Logger, Id, exception.SocketErrorCode);
            await ReplyAsync(ReplyCode.GeneralFailure).ConfigureAwait(false);
            _endReason = $"dial failed locally ({exception.SocketErrorCode})";
            return;
        }

        if (result.Socket is not { } target)
        {
            await ReplyAsync(result.Reply).ConfigureAwait(false);
            _endReason = $"dial failed ({result.Reply})";
            return;
        }

        // Publish the target before checking for an abort: Abort reads it after marking the session,
        // so one of the two closes it (both operations are full fences).
        Interlocked.Exchange(ref _target, target);
        if (AbortReason != SessionAbortReason.None)
        {
            target.Dispose();
            throw new ObjectDisposedException(nameof(SocksSession));
        }

        _connected = result.RemoteEndPoint;
        Log.Connected(_context.Logger, Id, result.RemoteEndPoint!);
        await ReplyAsync(ReplyCode.Succeeded, target.LocalEndPoint as System.Net.IPEndPoint).ConfigureAwait(false);
        _succeeded = true;
        _context.Metrics.SessionSucceeded();

        var observer = CreateObserver(request, result.RemoteEndPoint!);
        try
        {
            await RelayAsync(target, handshake, observer).ConfigureAwait(false);
        }
        finally
        {
            // Both directions are done (or never started), so nothing calls the observer any more.
            EndObservation(observer);
        }
    }

    private async Task RelayAsync(Socket target, HandshakeBuffer handshake, ITrafficObserver? observer)
    {
        var options = _context.Options;
        using var idle = options.IdleTimeout == Timeout.InfiniteTimeSpan
            ? null
            : new ActivityTimer(options.TimeProvider, options.IdleTimeout, () => Abort(SessionAbortReason.IdleTimeout));
        var tap = observer is null ? null : new TrafficTap(observer, _context.RelayLogger, Id);

        // Data the client pipelined behind its request goes first; the relay then hands the handshake buffer back.
        var relayResult = await _context.Relay.RelayAsync(new RelayRequest
        {
            Client = _client,
            Target = target,
            PendingClientData = handshake.Pending,
            PendingForwarded = handshake.Return,
            Traffic = _traffic,
            Hooks = RelayHooks.Create(idle, tap),
            Abort = CloseSockets,
        }).ConfigureAwait(false);

        _clientToTarget = relayResult.ClientToTarget;
        _targetToClient = relayResult.TargetToClient;
        _endReason = relayResult.End switch
        {
            RelayEnd.Completed => "completed",
            RelayEnd.ClientFailed => $"client connection failed: {relayResult.Error}",
            RelayEnd.TargetFailed => $"target connection failed: {relayResult.Error}",
            _ => "aborted",
        };

        if (relayResult.End == RelayEnd.Aborted && AbortReason != SessionAbortReason.None)
        {
            ClassifyFailure(SocketError.OperationAborted);
            if (AbortReason == SessionAbortReason.IdleTimeout)
            {
                Log.IdleTimedOut(_context.Logger, Id, options.IdleTimeout);
            }
        }
    }

    private ITrafficObserver? CreateObserver(SocksRequest request, System.Net.IPEndPoint target)
    {
        if (_context.Options.TrafficObservers is not { } factory)
        {
            return null;
        }

        try
        {
            return factory.Create(new SessionInfo
            {
                SessionId = Id,
                Username = Username,
                Client = RemoteEndPoint,
                RequestedHost = request.HostBytes,
                RequestedPort = request.Port,
                Target = target,
            });
        }
        catch (Exception exception)
        {
            // Someone else's code deciding whether to watch: failing means not watching, never failing the session.
            Log.ObserverFactoryFailed(_context.Logger, Id, exception);
            return null;
        }
    }

    /// <summary>
    /// Tells a disposable observer that the session has ended, whether it is still watching, already
    /// finished, or was dropped by the relay after it threw: a POP3 dissector then records a credential
    /// whose reply never came as unknown, and returns its buffers.
    /// </summary>
    private void EndObservation(ITrafficObserver? observer)
    {
        if (observer is not IDisposable disposable)
        {
            return;
        }

        try
        {
            disposable.Dispose();
        }
        catch (Exception exception)
        {
            // Someone else's code on the session's teardown path: the session still ends, is counted and recorded.
            Log.ObserverDisposeFailed(_context.Logger, Id, exception);
        }
    }
}
