using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Socks.Core.Commands.UdpAssociate;

/// <summary>
/// Reads and writes the address and port of a <see cref="SocketAddress"/> in place, so that the relay compares and
/// fills the addresses of its datagrams without creating an <see cref="IPEndPoint"/> per datagram.
/// </summary>
/// <remarks>
/// The layout is the platform's sockaddr: the port (network order) at offset 2 for both families, the IPv4 address
/// at offset 4 (sockaddr_in), the IPv6 address at offset 8 (sockaddr_in6, after the flow label); the same on Linux,
/// macOS and Windows.
/// </remarks>
internal static class SocketAddresses
{
    private const int PortOffset = 2;
    private const int IPv4Offset = 4;
    private const int IPv6Offset = 8;

    private static ReadOnlySpan<byte> MappedPrefix => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF];

    /// <summary>A socket address of the largest size for <paramref name="family"/>, to receive into.</summary>
    /// <param name="family">InterNetwork or InterNetworkV6.</param>
    /// <returns>The address.</returns>
    public static SocketAddress Create(AddressFamily family) => new(family, SocketAddress.GetMaximumAddressSize(family));

    /// <summary>The port of <paramref name="address"/>.</summary>
    /// <param name="address">An IPv4 or IPv6 socket address.</param>
    /// <returns>The port.</returns>
    public static ushort GetPort(SocketAddress address) => BinaryPrimitives.ReadUInt16BigEndian(address.Buffer.Span[PortOffset..]);

    /// <summary>
    /// The address bytes of <paramref name="address"/>: 4 for IPv4 and for an IPv4-mapped IPv6 address (as a
    /// dual-mode socket reports an IPv4 peer), 16 for other IPv6 addresses.
    /// </summary>
    /// <param name="address">An IPv4 or IPv6 socket address.</param>
    /// <returns>A view into the address's buffer.</returns>
    public static ReadOnlySpan<byte> GetAddressBytes(SocketAddress address)
    {
        var span = address.Buffer.Span;
        if (address.Family == AddressFamily.InterNetwork)
        {
            return span.Slice(IPv4Offset, 4);
        }

        var v6 = span.Slice(IPv6Offset, 16);
        return v6.StartsWith(MappedPrefix) ? v6[12..] : v6;
    }

    /// <summary>
    /// Sets <paramref name="target"/> (of the outbound socket's family) to <paramref name="address"/> (4 or 16 bytes)
    /// and <paramref name="port"/>: an IPv4 address on an IPv6 socket as IPv4-mapped.
    /// </summary>
    /// <param name="target">The address to overwrite; from <see cref="Create"/>.</param>
    /// <param name="address">The address bytes.</param>
    /// <param name="port">The port.</param>
    /// <returns>False when an IPv6 address was given for an IPv4 socket (no IPv6 on this host).</returns>
    public static bool TrySet(SocketAddress target, ReadOnlySpan<byte> address, ushort port)
    {
        var span = target.Buffer.Span;
        if (target.Family == AddressFamily.InterNetwork)
        {
            if (address.Length != 4)
            {
                return false;
            }

            span[PortOffset..].Clear();
            address.CopyTo(span[IPv4Offset..]);
        }
        else
        {
            // Flow label and scope id zero, as IPEndPoint.Serialize writes them, so equal destinations compare equal.
            span[PortOffset..].Clear();
            if (address.Length == 4)
            {
                MappedPrefix.CopyTo(span[IPv6Offset..]);
                address.CopyTo(span[(IPv6Offset + 12)..]);
            }
            else
            {
                address.CopyTo(span[IPv6Offset..]);
            }
        }

        BinaryPrimitives.WriteUInt16BigEndian(span[PortOffset..], port);
        target.Size = SocketAddress.GetMaximumAddressSize(target.Family);
        return true;
    }

    /// <summary>A copy of <paramref name="address"/> that later receives into it do not change (a dictionary key).</summary>
    /// <param name="address">The address.</param>
    /// <returns>The copy.</returns>
    public static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    /// <summary>The endpoint <paramref name="address"/> names, IPv4-mapped addresses as IPv4 (as the access policy judges them).</summary>
    /// <param name="address">An IPv4 or IPv6 socket address.</param>
    /// <returns>A new endpoint.</returns>
    public static IPEndPoint ToEndPoint(SocketAddress address) => new(new IPAddress(GetAddressBytes(address)), GetPort(address));
}
