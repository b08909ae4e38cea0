using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Socks.Core.Connectors.Direct;
using Socks.Core.Protocol;
using Socks.Core.Server;

namespace Socks.Core.Commands.Bind;

/// <summary>
/// BIND (RFC 1928 §4, §6): listen on the outbound interface, announce the listening address (first reply), accept
/// one peer within the bind timeout, check it, announce it (second reply), then relay as CONNECT does.
/// </summary>
/// <remarks>
/// <para>The expected peer. DST.ADDR names the host the client expects to connect (RFC 1928 §4: "the SOCKS server
/// should use DST.ADDR and DST.PORT in evaluating the BIND request"): an address, a name (resolved like a CONNECT's,
/// with the same replies: X'04' not found, X'01' resolver saturated, X'06' connect timeout), or all zeros for any
/// host. A peer from another host is refused with X'02' and closed; the port is not compared (an FTP server's
/// data connection comes from a port the client cannot know).</para>
/// <para>The listening address. The address this host would use to reach the expected peer (the kernel's route
/// lookup: a UDP socket connected to it, which sends nothing), so a peer on the far side of a multi-homed proxy
/// reaches it; with no expected peer, the address the client reached the proxy on (the control connection's local
/// address, which on loopback is the loopback address). The port is chosen by the kernel.</para>
/// <para>The wait. At most the bind timeout (REP X'06', as Dante answers a timed-out wait, which its client library
/// turns into ETIMEDOUT), ended at once when the client closes or resets its connection, or when the session is
/// aborted. The access policy is asked about the accepted peer at <see cref="AccessPhase.Resolved"/> (its address
/// and port), before the second reply; a denial answers with the decision's code.</para>
/// <para>Descriptors. While waiting the session holds three (client, listener and, at the moment of the accept,
/// the peer); the listener is closed as soon as the peer is accepted, so a relayed BIND holds two, as a CONNECT.</para>
/// </remarks>
/// <param name="resolver">The server's resolver, for a DST.ADDR given as a name.</param>
/// <param name="policy">Asked about the accepted peer, or null.</param>
/// <param name="bindTimeout">The longest wait for the peer.</param>
/// <param name="logger">The session logger.</param>
internal sealed class BindCommand(HostResolver resolver, IAccessPolicy? policy, TimeSpan bindTimeout, ILogger logger) : ICommandHandler
{
    /// <summary>The port of the route lookup when DST.PORT is 0 (discard, RFC 863); nothing is ever sent to it.</summary>
    private const int RouteProbePort = 9;

    /// <inheritdoc/>
    public byte Command => (byte)SocksCommand.Bind;

    /// <inheritdoc/>
    public async Task ExecuteAsync(SocksSession session, HandshakeBuffer handshake)
    {
        var request = session.Context.Request!;
        var (addresses, failure) = await resolver.ResolveWithinDeadlineAsync(request, session.Closed).ConfigureAwait(false);
        if (failure is { } code)
        {
            session.SetEnd(new SessionOutcome(SessionEndReason.ConnectFailed));
            await session.ReplyAsync(code).ConfigureAwait(false);
            return;
        }

        // All zeros (or a name that is the text of all zeros): any host may connect.
        IReadOnlyList<IPAddress>? expected = addresses.Any(a => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any)) ? null : addresses;

        // The listener is a third descriptor (the peer replaces it): charged to the budget, given back at the end.
        if (!session.TryChargeDescriptors(1))
        {
            session.SetEnd(new SessionOutcome(SessionEndReason.ConnectFailedLocally) { Error = SocketError.TooManyOpenSockets });
            await session.ReplyAsync(ReplyCode.GeneralFailure).ConfigureAwait(false);
            return;
        }

        Socket listener;
        try
        {
            listener = Listen(ChooseAddress(session.Context, expected, request.Port));
        }
        catch (SocketException exception) when (!session.IsAborted)
        {
            // No route to the expected peer (X'03'), no descriptor left (X'01'), ...
            Log.ListenFailed(logger, session.Id, exception.SocketErrorCode);
            session.SetEnd(new SessionOutcome(SessionEndReason.ConnectFailedLocally) { Error = exception.SocketErrorCode });
            await session.ReplyAsync(SocketErrorMapping.ToReplyCode(exception.SocketErrorCode)).ConfigureAwait(false);
            return;
        }

        Socket? peer;
        using (listener)
        {
            // The wait is timed from the first reply: the timer runs before the client can see the reply.
            using var timeout = new CancellationTokenSource(bindTimeout, session.Context.TimeProvider);
            var bound = (IPEndPoint)listener.LocalEndPoint!;
            Log.Listening(logger, session.Id, bound);
            await session.ReplyFirstOfTwoAsync(bound).ConfigureAwait(false);
            peer = await AcceptPeerAsync(session, listener, timeout).ConfigureAwait(false);
        }

        if (peer is null)
        {
            return;
        }

        var remote = (IPEndPoint)peer.RemoteEndPoint!;
        remote = new IPEndPoint(HostResolver.Normalize(remote.Address), remote.Port);
        var mismatch = expected is not null && !expected.Contains(remote.Address);
        var verdict = AccessDecision.DenyByRuleset;
        if (!mismatch && policy is not null)
        {
            try
            {
                verdict = await policy.EvaluateAsync(new AccessRequest(AccessPhase.Resolved, session.Context, remote), session.Closed).ConfigureAwait(false);
            }
            catch
            {
                peer.Dispose();
                throw;
            }
        }
        else if (!mismatch)
        {
            verdict = AccessDecision.Allow;
        }

        if (!verdict.IsAllowed)
        {
            peer.Dispose();
            if (mismatch)
            {
                Log.PeerMismatch(logger, session.Id, remote);
                session.SetEnd(new SessionOutcome(SessionEndReason.BindPeerMismatch));
            }
            else
            {
                session.Context.NoteDenial(verdict);
                session.SetEnd(new SessionOutcome(SessionEndReason.Denied) { DeniedAt = AccessPhase.Resolved });
            }

            await session.ReplyAsync(verdict.Reply).ConfigureAwait(false);
            return;
        }

        var target = session.AttachTarget(peer, remote);
        try
        {
            target.NoDelay = true;
        }
        catch (SocketException)
        {
            // A peer that already reset: the relay reports it.
        }

        await session.ReplyAsync(ReplyCode.Succeeded, remote).ConfigureAwait(false);
        await session.RelayAsync(target, handshake).ConfigureAwait(false);
    }

    /// <summary>The address to listen on (see the remarks of the class).</summary>
    private static IPAddress ChooseAddress(SessionContext session, IReadOnlyList<IPAddress>? expected, ushort port)
    {
        if (expected is { Count: > 0 })
        {
            using var probe = new Socket(expected[0].AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(new IPEndPoint(expected[0], port == 0 ? RouteProbePort : port));
            return HostResolver.Normalize(((IPEndPoint)probe.LocalEndPoint!).Address);
        }

        return HostResolver.Normalize(session.LocalEndPoint?.Address ?? IPAddress.Loopback);
    }

    private static Socket Listen(IPAddress address)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, 0));

            // One peer only (RFC 1928 §6: "the anticipated incoming connection").
            listener.Listen(1);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Accepts the peer within the bind timeout while watching the client.</summary>
    /// <returns>The peer, or null when the session ended here (the timeout reply sent, or the client gone).</returns>
    private async Task<Socket?> AcceptPeerAsync(SocksSession session, Socket listener, CancellationTokenSource timeout)
    {
        using var waitEnds = CancellationTokenSource.CreateLinkedTokenSource(session.Closed, timeout.Token);
        using var stopWatching = new CancellationTokenSource();

        // A client that sends data for the peer early ends the watch (the bytes stay queued for the relay); a close
        // after them is seen when the wait is over.
        var watch = session.WatchForCloseAsync(waitEnds, stopWatching.Token);
        try
        {
            return await listener.AcceptAsync(waitEnds.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!session.IsAborted)
        {
            if (timeout.IsCancellationRequested)
            {
                Log.TimedOut(logger, session.Id, bindTimeout);
                session.SetEnd(new SessionOutcome(SessionEndReason.BindTimeout));
                await session.ReplyAsync(ReplyCode.TtlExpired).ConfigureAwait(false);
            }
            else
            {
                Log.ClientClosed(logger, session.Id);
                session.SetEnd(new SessionOutcome(SessionEndReason.ClientClosedWhileBinding));
            }

            return null;
        }
        finally
        {
            await stopWatching.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }
    }
}
