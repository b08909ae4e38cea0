using System.Net;

namespace Socks.Core.Protocol;

/// <summary>A SOCKS5 reply (RFC 1928 §6) as a client reads it.</summary>
internal sealed class SocksReply
{
    internal SocksReply(ReplyCode reply, AddressType addressType, IPAddress? address, byte[]? domainName, ushort port)
    {
        Reply = reply;
        AddressType = addressType;
        Address = address;
        DomainName = domainName;
        Port = port;
    }

    /// <summary>REP. Unassigned values (X'09' to X'FF') are passed through unchanged.</summary>
    public ReplyCode Reply { get; }

    /// <summary>ATYP of the bound address.</summary>
    public AddressType AddressType { get; }

    /// <summary>BND.ADDR for <see cref="AddressType.IPv4"/> and <see cref="AddressType.IPv6"/>; null for a domain name.</summary>
    public IPAddress? Address { get; }

    /// <summary>The raw BND.ADDR octets for <see cref="AddressType.DomainName"/>; null otherwise.</summary>
    public byte[]? DomainName { get; }

    /// <summary>BND.PORT.</summary>
    public ushort Port { get; }

    /// <summary>BND.ADDR and BND.PORT as an endpoint, or null when the server gave a domain name.</summary>
    public IPEndPoint? BoundEndPoint => Address is null ? null : new IPEndPoint(Address, Port);
}
