using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Socks.Core.Protocol;

namespace Socks.Core.Access;

/// <summary>
/// Refuses (<see cref="ReplyCode.ConnectionNotAllowed"/>) connections to endpoints of this host that
/// clients must not reach through the proxy, such as its management port or its own SOCKS port.
/// </summary>
/// <remarks>
/// A destination is refused when its port is the port of a protected endpoint and its address can
/// reach that endpoint: the same address; for an endpoint on a loopback address, any loopback address
/// (IPv4 or IPv6) or a wildcard address; for an endpoint on a wildcard address, any address of this
/// host (loopback, wildcard, and every address of a local interface). IPv4-mapped IPv6 addresses are
/// compared as IPv4, so <c>::ffff:127.0.0.1</c> is the same as <c>127.0.0.1</c>. The rule errs on the
/// side of refusing: a loopback-bound endpoint protects its port on every loopback address.
/// <para>
/// The endpoints can be given as a list fixed at construction or as a function that the policy calls
/// at every check. The function suits a host whose listeners are bound after the policy is created
/// (the server options, and so the policy, exist before <c>Start</c>; a listener on port 0 learns
/// its port only when bound): it can return the listeners' bound endpoints, an empty list before
/// they are bound, and the policy never sees a stale port.
/// </para>
/// <para>
/// As an <see cref="IAccessPolicy"/> it acts at <see cref="AccessPhase.Resolved"/> only, so every way of naming an
/// endpoint (address, IPv4-mapped address, name) is judged by the address about to be dialed; it allows every
/// other phase. Combine it with other policies through <see cref="CompositeAccessPolicy"/>.
/// </para>
/// </remarks>
public sealed class ProtectedEndpointsPolicy : IAccessPolicy
{
    private static readonly TimeSpan InterfaceRefresh = TimeSpan.FromSeconds(30);

    private readonly Func<IEnumerable<IPEndPoint>> _endpoints;
    private readonly TimeProvider _timeProvider;
    private readonly Func<IEnumerable<IPAddress>> _localAddresses;
    private readonly Lock _refreshLock = new();
    private volatile LocalAddressSet? _local;

    /// <summary>Creates a policy that protects <paramref name="endpoints"/>.</summary>
    /// <param name="endpoints">The endpoints to protect, as they are bound (wildcard addresses allowed).</param>
    /// <param name="timeProvider">The clock used to refresh the list of local addresses; null for the system clock.</param>
    public ProtectedEndpointsPolicy(IEnumerable<IPEndPoint> endpoints, TimeProvider? timeProvider = null)
        : this(endpoints, timeProvider, GetInterfaceAddresses)
    {
    }

    /// <summary>
    /// Creates a policy that protects the endpoints <paramref name="endpoints"/> returns, asked again at every
    /// check, so endpoints bound after the policy was created (port 0 included) are protected as soon as they exist.
    /// </summary>
    /// <param name="endpoints">
    /// Returns the endpoints to protect now, as they are bound (wildcard addresses allowed). Called once per
    /// checked destination, possibly from many threads at once: it must be quick, thread-safe, and must not throw.
    /// </param>
    /// <param name="timeProvider">The clock used to refresh the list of local addresses; null for the system clock.</param>
    public ProtectedEndpointsPolicy(Func<IEnumerable<IPEndPoint>> endpoints, TimeProvider? timeProvider = null)
        : this(endpoints, timeProvider, GetInterfaceAddresses)
    {
    }

    internal ProtectedEndpointsPolicy(IEnumerable<IPEndPoint> endpoints, TimeProvider? timeProvider, Func<IEnumerable<IPAddress>> localAddresses)
        : this(Fixed(endpoints), timeProvider, localAddresses)
    {
    }

    internal ProtectedEndpointsPolicy(Func<IEnumerable<IPEndPoint>> endpoints, TimeProvider? timeProvider, Func<IEnumerable<IPAddress>> localAddresses)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(localAddresses);
        _endpoints = endpoints;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _localAddresses = localAddresses;
    }

    /// <inheritdoc />
    public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        if (request.Phase != AccessPhase.Resolved)
        {
            return ValueTask.FromResult(AccessDecision.Allow);
        }

        var reply = Check(request.Destination!);
        return ValueTask.FromResult(reply == ReplyCode.Succeeded ? AccessDecision.Allow : AccessDecision.Deny(reply));
    }

    /// <summary>Checks one resolved destination.</summary>
    /// <param name="destination">The address and port the server is about to dial.</param>
    /// <returns><see cref="ReplyCode.ConnectionNotAllowed"/> when it reaches a protected endpoint, else <see cref="ReplyCode.Succeeded"/>.</returns>
    public ReplyCode Check(IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var address = Normalize(destination.Address);
        foreach (var endpoint in _endpoints())
        {
            if (endpoint is null || endpoint.Port != destination.Port)
            {
                continue;
            }

            var bound = Normalize(endpoint.Address);
            if (bound.Equals(address))
            {
                return ReplyCode.ConnectionNotAllowed;
            }

            // A loopback endpoint is reached through any loopback address (a dual-stack host maps ::1
            // and 127.0.0.0/8 to the same lo device) or the wildcard; a wildcard one through any local address.
            var reachable = IsWildcard(bound)
                ? IsLocal(address)
                : IPAddress.IsLoopback(bound) && (IPAddress.IsLoopback(address) || IsWildcard(address));
            if (reachable)
            {
                return ReplyCode.ConnectionNotAllowed;
            }
        }

        return ReplyCode.Succeeded;
    }

    private static Func<IEnumerable<IPEndPoint>> Fixed(IEnumerable<IPEndPoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        IPEndPoint[] copy = [.. endpoints];
        return () => copy;
    }

    private bool IsLocal(IPAddress address)
    {
        if (IPAddress.IsLoopback(address) || IsWildcard(address))
        {
            return true;
        }

        return GetLocalAddresses().Contains(address);
    }

    private HashSet<IPAddress> GetLocalAddresses()
    {
        var now = _timeProvider.GetTimestamp();
        var current = _local;
        if (current is not null && _timeProvider.GetElapsedTime(current.Timestamp, now) < InterfaceRefresh)
        {
            return current.Addresses;
        }

        lock (_refreshLock)
        {
            current = _local;
            if (current is null || _timeProvider.GetElapsedTime(current.Timestamp, now) >= InterfaceRefresh)
            {
                current = new LocalAddressSet(now, [.. _localAddresses().Select(Normalize)]);
                _local = current;
            }

            return current.Addresses;
        }
    }

    private static IEnumerable<IPAddress> GetInterfaceAddresses()
    {
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            // Without the interface list, loopback and wildcard checks still protect the usual forms.
            return [];
        }

        return interfaces.SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address);
    }

    private static bool IsWildcard(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        // Scope ids do not change which socket a link-local address reaches on this host.
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            return new IPAddress(address.GetAddressBytes());
        }

        return address;
    }

    private sealed record LocalAddressSet(long Timestamp, HashSet<IPAddress> Addresses);
}
