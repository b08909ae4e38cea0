using System.Net;
using System.Net.Sockets;
using Socks.Core.Connectors.Direct;
using Socks.Core.Metrics;
using Socks.Core.Protocol;

namespace Socks.Core.Commands.UdpAssociate;

/// <summary>The two relay loops: client to destinations, and destinations to client.</summary>
internal sealed partial class UdpAssociation
{
    /// <summary>
    /// Client side: datagrams from the client's address (and port) only; header read in place; FRAG 0 only; the
    /// destination judged by the policy once; DATA sent on from the outside socket.
    /// </summary>
    private async Task ClientLoopAsync(byte[] buffer, ActivityTimer? idle)
    {
        var from = SocketAddresses.Create(_clientSide.AddressFamily);
        var destination = SocketAddresses.Create(_outside.AddressFamily);
        while (true)
        {
            int received;
            try
            {
                received = await _clientSide.ReceiveFromAsync(buffer, SocketFlags.None, from).ConfigureAwait(false);
            }
            catch (SocketException exception) when (IsTransient(exception.SocketErrorCode))
            {
                continue;
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                return;
            }

            _session.Traffic.AddClientReceived(received);
            if (!IsFromClient(from))
            {
                _traffic.AddDrop(UdpDropReason.WrongSource);
                continue;
            }

            if (!UdpHeader.TryRead(buffer.AsSpan(0, received), out var header))
            {
                _traffic.AddDrop(UdpDropReason.Malformed);
                continue;
            }

            if (header.Fragment != 0)
            {
                _traffic.AddDrop(UdpDropReason.Fragmented);
                continue;
            }

            var refused = header.AddressType == AddressType.DomainName
                ? await FindNamedAsync(buffer, header, destination).ConfigureAwait(false)
                : await FindAsync(buffer.AsMemory(header.AddressOffset, header.AddressLength), header.Port, destination).ConfigureAwait(false);
            if (refused is { } reason)
            {
                _traffic.AddDrop(reason);
                continue;
            }

            int sent;
            try
            {
                sent = await _outside.SendToAsync(buffer.AsMemory(header.Length, received - header.Length), SocketFlags.None, destination).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                _traffic.AddDrop(UdpDropReason.SendFailed);
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _session.Traffic.AddTargetSent(sent);
            _traffic.AddClientToTarget(sent);
            idle?.Touch();
        }
    }

    /// <summary>
    /// Outside: datagrams only from a destination the client was allowed to send to; DATA received behind room for
    /// the header, which is written in front of it, so the datagram goes to the client without a copy.
    /// </summary>
    private async Task OutsideLoopAsync(byte[] buffer, ActivityTimer? idle)
    {
        var from = SocketAddresses.Create(_outside.AddressFamily);
        while (true)
        {
            int received;
            try
            {
                received = await _outside.ReceiveFromAsync(buffer.AsMemory(UdpHeader.IPv6Length), SocketFlags.None, from).ConfigureAwait(false);
            }
            catch (SocketException exception) when (IsTransient(exception.SocketErrorCode))
            {
                continue;
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                return;
            }

            _session.Traffic.AddTargetReceived(received);
            if (Volatile.Read(ref _client) is not { } client || !_destinations.IsAllowed(from))
            {
                _traffic.AddDrop(UdpDropReason.UnknownSource);
                continue;
            }

            var start = UdpHeader.WriteBefore(buffer, UdpHeader.IPv6Length, SocketAddresses.GetAddressBytes(from), SocketAddresses.GetPort(from));
            int sent;
            try
            {
                sent = await _clientSide.SendToAsync(buffer.AsMemory(start, UdpHeader.IPv6Length + received - start), SocketFlags.None, client).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                _traffic.AddDrop(UdpDropReason.SendFailed);
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _session.Traffic.AddClientSent(sent);
            _traffic.AddTargetToClient(received);
            idle?.Touch();
        }
    }

    /// <summary>
    /// True when <paramref name="from"/> is the client: its TCP address, and the port it announced, or else the port of
    /// its first datagram, which is the client's port from then on.
    /// </summary>
    private bool IsFromClient(SocketAddress from)
    {
        if (!SocketAddresses.GetAddressBytes(from).SequenceEqual(_clientAddress))
        {
            return false;
        }

        var port = SocketAddresses.GetPort(from);
        if (_clientPort == 0)
        {
            _clientPort = port;
            Volatile.Write(ref _client, SocketAddresses.Copy(from));
            return true;
        }

        return port == _clientPort;
    }

    /// <summary>Sets <paramref name="destination"/> to an address and port and judges it.</summary>
    /// <returns>Null when the datagram may go there, else why not.</returns>
    private ValueTask<UdpDropReason?> FindAsync(ReadOnlyMemory<byte> address, ushort port, SocketAddress destination)
    {
        if (!SocketAddresses.TrySet(destination, address.Span, port))
        {
            return ValueTask.FromResult<UdpDropReason?>(UdpDropReason.SendFailed);
        }

        if (_destinations.TryGet(destination, out var allowed))
        {
            return ValueTask.FromResult<UdpDropReason?>(allowed ? null : UdpDropReason.Denied);
        }

        return _destinations.IsFull
            ? ValueTask.FromResult<UdpDropReason?>(UdpDropReason.DestinationLimit)
            : DecideAsync(destination);
    }

    /// <summary>Asks the policy about a new destination (<see cref="AccessPhase.Resolved"/>) and remembers the verdict.</summary>
    private async ValueTask<UdpDropReason?> DecideAsync(SocketAddress destination)
    {
        var allowed = true;
        if (_settings.Policy is { } policy)
        {
            var endpoint = SocketAddresses.ToEndPoint(destination);
            var decision = await policy.EvaluateAsync(new AccessRequest(AccessPhase.Resolved, _session.Context, endpoint), _session.Closed).ConfigureAwait(false);
            allowed = decision.IsAllowed;
        }

        _destinations.Add(destination, allowed);
        return allowed ? null : UdpDropReason.Denied;
    }

    /// <summary>Resolves a name (from the cache when it can) and takes the first of its addresses the policy allows.</summary>
    private async ValueTask<UdpDropReason?> FindNamedAsync(byte[] buffer, UdpHeader header, SocketAddress destination)
    {
        if (!_names.TryGet(buffer.AsSpan(header.AddressOffset, header.AddressLength), out var addresses))
        {
            if (!HostResolver.TryGetHostName(buffer.AsSpan(header.AddressOffset, header.AddressLength), out var name))
            {
                return UdpDropReason.Malformed;
            }

            addresses = await LookupAsync(name).ConfigureAwait(false);
            _names.Add(buffer.AsSpan(header.AddressOffset, header.AddressLength), addresses);
        }

        if (addresses.Length == 0)
        {
            return UdpDropReason.Unresolved;
        }

        UdpDropReason? refused = null;
        foreach (var address in addresses)
        {
            address.TryWriteBytes(_addressScratch, out var length);
            refused = await FindAsync(_addressScratch.AsMemory(0, length), header.Port, destination).ConfigureAwait(false);
            if (refused is null)
            {
                return null;
            }
        }

        return refused;
    }

    /// <summary>A name's addresses (IPv4-mapped ones as IPv4, duplicates dropped), or none when it does not resolve in time.</summary>
    private async Task<IPAddress[]> LookupAsync(string name)
    {
        if (IPAddress.TryParse(name, out var literal))
        {
            return [HostResolver.Normalize(literal)];
        }

        using var deadline = new CancellationTokenSource(_settings.LookupTimeout, _settings.Time);
        using var lookup = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _session.Closed);
        try
        {
            var resolved = await _settings.Resolver.ResolveAsync(name, lookup.Token).WaitAsync(lookup.Token).ConfigureAwait(false);
            return [.. resolved.Select(HostResolver.Normalize).Distinct()];
        }
        catch (Exception exception) when (exception is SocketException or ArgumentException or ResolverSaturatedException or OperationCanceledException)
        {
            // Not found, saturated, out of time or the session is closing: this datagram is dropped.
            return [];
        }
    }
}
