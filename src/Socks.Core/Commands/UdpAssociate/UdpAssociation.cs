using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using Socks.Core.AccessLog;
using Socks.Core.Connectors.Direct;
using Socks.Core.Metrics;
using Socks.Core.Server;

namespace Socks.Core.Commands.UdpAssociate;

/// <summary>
/// One UDP association (RFC 1928 §7): a relay socket bound on the address the client reached the proxy on, which
/// takes the client's datagrams, an unconnected socket on the wildcard address, which sends them to their
/// destinations and takes the answers, and the client's TCP connection, whose end (EOF, error, abort) ends both at once.
/// </summary>
/// <remarks>
/// <para>Two sockets, not one: the client side must be on the address the client reached (a loopback address, say)
/// while destinations need a socket the kernel can route anywhere; and datagrams are told apart by socket, never
/// guessed from their source. Three descriptors in all, so the association takes two places under the connection
/// limit.</para>
/// <para>Two loops, one per socket, each receiving into its own buffer (rented for the association's life, 64 KiB
/// plus a header), checking, and sending before it receives again: no allocation per datagram (the
/// <see cref="SocketAddress"/> overloads of ReceiveFrom/SendTo reuse the socket's event args and the loop's
/// addresses), and the queue of a direction is its socket's receive buffer, bounded by the kernel, which drops what
/// does not fit.</para>
/// </remarks>
internal sealed partial class UdpAssociation : IDisposable
{
    /// <summary>The largest UDP payload (65535 - 8) plus room for the longest header the relay writes in front of it.</summary>
    private const int BufferSize = 65527 + UdpHeader.IPv6Length;

    private readonly SocksSession _session;
    private readonly UdpRelaySettings _settings;
    private readonly Socket _clientSide;
    private readonly Socket _outside;
    private readonly byte[] _clientAddress;
    private readonly DestinationTable _destinations = new();
    private readonly NameCache _names;
    private readonly AssociationTraffic _traffic;
    private readonly byte[] _addressScratch = new byte[16];
    private SocketAddress? _client;
    private ushort _clientPort;
    private int _stopping;
    private int _ended;
    private ExceptionDispatchInfo? _failure;

    private UdpAssociation(SocksSession session, UdpRelaySettings settings, Socket clientSide, Socket outside, IPAddress client, ushort announcedPort)
    {
        _session = session;
        _settings = settings;
        _clientSide = clientSide;
        _outside = outside;
        _clientAddress = client.GetAddressBytes();
        _names = new NameCache(settings.Time);
        if (announcedPort != 0)
        {
            _clientPort = announcedPort;
            _client = new IPEndPoint(client, announcedPort).Serialize();
        }

        // Counted before the reply, so a client that has the reply sees the association among the active ones.
        _traffic = settings.Metrics.OpenAssociation();
    }

    /// <summary>The relay's client side, for BND.ADDR and BND.PORT of the reply.</summary>
    public IPEndPoint RelayEndPoint => (IPEndPoint)_clientSide.LocalEndPoint!;

    /// <summary>Opens the two UDP sockets of a session's association.</summary>
    /// <param name="session">The session; its request is the UDP ASSOCIATE.</param>
    /// <param name="settings">What associations share.</param>
    /// <returns>The association, not yet relaying.</returns>
    /// <exception cref="SocketException">A socket could not be made or bound (out of descriptors, say).</exception>
    public static UdpAssociation Open(SocksSession session, UdpRelaySettings settings)
    {
        var local = HostResolver.Normalize(session.Context.LocalEndPoint?.Address ?? IPAddress.Loopback);
        var client = HostResolver.Normalize(session.Context.Client.Address);
        var clientSide = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        Socket? outside = null;
        try
        {
            clientSide.Bind(new IPEndPoint(local, 0));
            outside = OpenOutside();
            return new UdpAssociation(session, settings, clientSide, outside, client, session.Context.Request!.Port);
        }
        catch
        {
            clientSide.Dispose();
            outside?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Relays until the control connection ends (or the session is aborted, or idle for the idle timeout), then closes
    /// both sockets, waits for both loops, and records the end in the session.
    /// </summary>
    /// <returns>A task that completes when the association is over.</returns>
    public async Task RunAsync()
    {
        Log.Associated(_settings.Logger, _session.Id, RelayEndPoint, new IPAddress(_clientAddress));
        var clientBuffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var outsideBuffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        using var idle = _settings.IdleTimeout == Timeout.InfiniteTimeSpan
            ? null
            : new ActivityTimer(_settings.Time, _settings.IdleTimeout, () => _session.Abort(SessionAbortReason.IdleTimeout));
        (SessionOutcome End, long Bytes) control;
        try
        {
            var fromClient = RunLoopAsync(ClientLoopAsync(clientBuffer, idle));
            var fromOutside = RunLoopAsync(OutsideLoopAsync(outsideBuffer, idle));
            control = await WatchControlAsync().ConfigureAwait(false);

            // The control connection is gone: the association ends at once, with both sockets.
            Stop();
            await Task.WhenAll(fromClient, fromOutside).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(clientBuffer);
            ArrayPool<byte>.Shared.Return(outsideBuffer);
        }

        // The loops are over, so the session's client-received counter has no other writer now.
        _session.Traffic.AddClientReceived((int)Math.Min(control.Bytes, int.MaxValue));
        End();
        if (idle?.HasFired == true)
        {
            Log.IdleTimedOut(_settings.Logger, _session.Id, _settings.IdleTimeout);
        }

        _session.EndAssociation(
            control.End,
            new UdpAssociationSummary
            {
                DatagramsClientToTarget = _traffic.DatagramsClientToTarget,
                DatagramsTargetToClient = _traffic.DatagramsTargetToClient,
                Destinations = _destinations.AllowedCount,
                Dropped = _traffic.Dropped,
            },
            _traffic.BytesClientToTarget,
            _traffic.BytesTargetToClient);
        _failure?.Throw();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Stop();
        End();
    }

    /// <summary>The outside socket: IPv6 dual-mode on the wildcard address, to reach both families; IPv4 only on a host without IPv6.</summary>
    private static Socket OpenOutside()
    {
        try
        {
            var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.DualMode = true;
                socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.ProtocolNotSupported or SocketError.AddressNotAvailable)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Any, 0));
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Reads the control connection until it ends: what the client sends on it after the request means nothing
    /// (RFC 1928 §7 gives it no use) and is discarded, counted as read.
    /// </summary>
    private async Task<(SessionOutcome End, long Bytes)> WatchControlAsync()
    {
        var buffer = new byte[256];
        long bytes = 0;
        try
        {
            while (true)
            {
                var received = await _session.ControlConnection.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    return (new SessionOutcome(SessionEndReason.Completed), bytes);
                }

                bytes += received;
            }
        }
        catch (SocketException exception)
        {
            return (new SessionOutcome(SessionEndReason.ClientFailed) { Error = exception.SocketErrorCode }, bytes);
        }
        catch (ObjectDisposedException)
        {
            return (new SessionOutcome(SessionEndReason.Aborted), bytes);
        }
    }

    /// <summary>
    /// Runs a loop to its end. A loop that ends while the association is still on (an unexpected socket error, a bug)
    /// ends the association: the control connection is shut down, so the client learns at once.
    /// </summary>
    private async Task RunLoopAsync(Task loop)
    {
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Our bug, or an access policy's: the session records an internal error once the association is over.
            Log.RelayFailed(_settings.Logger, _session.Id, exception);
            _failure ??= ExceptionDispatchInfo.Capture(exception);
        }

        if (Volatile.Read(ref _stopping) == 0)
        {
            try
            {
                _session.ControlConnection.Shutdown(SocketShutdown.Both);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                // Already closed: the watch has ended or is ending.
            }
        }
    }

    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 0)
        {
            _clientSide.Dispose();
            _outside.Dispose();
        }
    }

    private void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            _settings.Metrics.AssociationEnded(_traffic);
        }
    }

    /// <summary>True for a receive error that concerns one datagram (an ICMP error reported late, a truncated datagram), not the socket.</summary>
    private static bool IsTransient(SocketError error) =>
        error is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.NetworkUnreachable
            or SocketError.HostUnreachable or SocketError.MessageSize;
}
