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

        var options = _context.Options;
        using var idle = options.IdleTimeout == Timeout.InfiniteTimeSpan
            ? null
            : new IdleTimer(options.TimeProvider, options.IdleTimeout, () => Abort(SessionAbortReason.IdleTimeout));
        var relay = new SocketRelay(_client, target, options.RelayBufferSize, _context.Metrics, idle, CreateTap(request, result.RemoteEndPoint!), CloseSockets);

        // Data the client pipelined behind its request goes first; then the handshake buffer is not needed.
        var pending = handshake.Pending;
        RelayResult relayResult;
        if (pending.IsEmpty)
        {
            handshake.Return();
            relayResult = await relay.RunAsync().ConfigureAwait(false);
        }
        else
        {
            var failed = await relay.ForwardPendingAsync(pending).ConfigureAwait(false);
            handshake.Return();
            relayResult = failed ?? await relay.RunAsync().ConfigureAwait(false);
        }

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

    private TrafficTap? CreateTap(SocksRequest request, System.Net.IPEndPoint target)
    {
        if (_context.Options.TrafficObservers is not { } factory)
        {
            return null;
        }

        ITrafficObserver? observer;
        try
        {
            observer = factory.Create(new SessionInfo
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

        return observer is null ? null : new TrafficTap(observer, _context.RelayLogger, Id);
    }
}
