using System.Net;
using System.Net.Sockets;
using Socks.Core.Dissectors;
using Socks.Core.Relay;

namespace Socks.Core.Server;

/// <summary>What command handlers use of a session: attaching the outbound socket, and the relay with its traffic observer.</summary>
internal sealed partial class SocksSession
{
    /// <summary>
    /// Takes ownership of the connected outbound socket: from now on an abort closes it too. The session ends (the
    /// socket is closed and <see cref="ObjectDisposedException"/> thrown) when it was aborted meanwhile.
    /// </summary>
    /// <param name="target">The connected socket.</param>
    /// <param name="remoteEndPoint">The address actually connected, for the access log.</param>
    /// <returns><paramref name="target"/>.</returns>
    /// <exception cref="ObjectDisposedException">The session was aborted.</exception>
    public Socket AttachTarget(Socket target, IPEndPoint remoteEndPoint)
    {
        // Publish the target before checking for an abort: Abort reads it after marking the session,
        // so one of the two closes it (both operations are full fences).
        Interlocked.Exchange(ref _target, target);
        if (IsAborted)
        {
            target.Dispose();
            throw new ObjectDisposedException(nameof(SocksSession));
        }

        _connected = remoteEndPoint;
        Log.Connected(_context.Logger, Id, remoteEndPoint);
        return target;
    }

    /// <summary>Logs a connector's local failure (the session then answers X'01').</summary>
    /// <param name="error">The socket error.</param>
    public void LogConnectFailedLocally(SocketError error) => Log.DialFailedLocally(_context.Logger, Id, error);

    /// <summary>
    /// Relays the client and <paramref name="target"/> until both directions are done, watched by the traffic
    /// observer the factory chooses for the session, and sets the end reason from how the relay ended.
    /// </summary>
    /// <param name="target">The attached target socket.</param>
    /// <param name="handshake">The handshake buffer, with the bytes the client sent behind its request.</param>
    /// <returns>A task that completes when the relay is over.</returns>
    public async Task RelayAsync(Socket target, HandshakeBuffer handshake)
    {
        // One method, not two: each async level is a state machine box every relayed session keeps while idle.
        var observer = CreateObserver(_connected!);
        try
        {
            var options = _context.Options;
            using var idle = options.IdleTimeout == Timeout.InfiniteTimeSpan
                ? null
                : new ActivityTimer(options.TimeProvider, options.IdleTimeout, () => Abort(SessionAbortReason.IdleTimeout), new TcpProgress(_client, target).Moved);
            var tap = observer is null ? null : new TrafficTap(observer, _context.RelayLogger, Id);

            // From here the user's statistics read this session's bytes live (the access log records the same bytes).
            Volatile.Write(ref _downAtRelayStart, _traffic.ClientSent);
            Volatile.Write(ref _relaying, true);

            // Data the client pipelined behind its request goes first; the relay then hands the handshake buffer back.
            var relayResult = await _context.Relay.RelayAsync(new RelayRequest
            {
                Client = _client,
                Target = target,
                PendingClientData = handshake.Pending,
                PendingForwarded = handshake.Return,
                Traffic = _traffic,
                Hooks = RelayHooks.Create(idle, tap, _throttleUp, _throttleDown, Closed, _quota),
                Abort = AbortSockets,
            }).ConfigureAwait(false);

            _clientToTarget = relayResult.ClientToTarget;
            _targetToClient = relayResult.TargetToClient;
            SetEnd(relayResult.End switch
            {
                RelayEnd.Completed => new SessionOutcome(SessionEndReason.Completed),
                RelayEnd.ClientFailed => new SessionOutcome(SessionEndReason.ClientFailed) { Error = relayResult.Error },
                RelayEnd.TargetFailed => new SessionOutcome(SessionEndReason.TargetFailed) { Error = relayResult.Error },
                _ => new SessionOutcome(SessionEndReason.Aborted),
            });

            // An abort from outside is the cause, however the relay saw it end (a graceful one ends it with EOF).
            if (IsAborted)
            {
                ClassifyFailure(SocketError.OperationAborted);
                if (AbortReason == SessionAbortReason.IdleTimeout)
                {
                    Log.IdleTimedOut(_context.Logger, Id, options.IdleTimeout);
                }
            }
        }
        finally
        {
            // Both directions are done (or never started), so nothing calls the observer any more.
            EndObservation(observer);
        }
    }

    private ITrafficObserver? CreateObserver(IPEndPoint target)
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
                RequestedHost = Context.Request!.HostBytes,
                RequestedPort = Context.Request.Port,
                Target = target,
                Session = Context,
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
