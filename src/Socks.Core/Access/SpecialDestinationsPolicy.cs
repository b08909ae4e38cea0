using System.Net;
using System.Net.Sockets;
using Socks.Core.Protocol;

namespace Socks.Core.Access;

/// <summary>
/// Refuses (<see cref="ReplyCode.ConnectionNotAllowed"/>) destinations that a proxy should never dial for a client:
/// link-local addresses (169.254.0.0/16 with the cloud metadata service 169.254.169.254, fe80::/10), the AWS IPv6
/// metadata address fd00:ec2::254, unspecified addresses (0.0.0.0/8, ::), multicast (224.0.0.0/4, ff00::/8) and the
/// limited broadcast 255.255.255.255. Loopback and private ranges stay allowed: that is how a proxy on a LAN is used.
/// </summary>
/// <remarks>
/// It acts at <see cref="AccessPhase.Resolved"/>, on the address about to be dialed, so a name that resolves to such
/// an address is refused the same way as the address itself, and no second lookup can answer differently.
/// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
/// </remarks>
public sealed class SpecialDestinationsPolicy : IAccessPolicy
{
    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");

    private SpecialDestinationsPolicy()
    {
    }

    /// <summary>The one instance (the policy has no state).</summary>
    public static SpecialDestinationsPolicy Instance { get; } = new();

    /// <inheritdoc/>
    public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(request.Phase == AccessPhase.Resolved && IsSpecial(request.Destination!.Address)
            ? AccessDecision.DenyByRuleset
            : AccessDecision.Allow);

    /// <summary>Whether <paramref name="address"/> is one of the refused kinds.</summary>
    /// <param name="address">An IPv4 or IPv6 address.</param>
    /// <returns>True for link-local, metadata, unspecified, multicast and broadcast addresses.</returns>
    public static bool IsSpecial(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            return bytes[0] == 0                              // 0.0.0.0/8: "this network", unspecified
                || (bytes[0] == 169 && bytes[1] == 254)       // 169.254.0.0/16: link-local, metadata
                || (bytes[0] & 0xF0) == 224                   // 224.0.0.0/4: multicast
                || address.Equals(IPAddress.Broadcast);       // 255.255.255.255
        }

        return address.Equals(IPAddress.IPv6Any)
            || address.IsIPv6LinkLocal
            || address.IsIPv6Multicast
            || new IPAddress(address.GetAddressBytes()).Equals(AwsMetadataV6);
    }
}
