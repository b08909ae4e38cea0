using System.Net;

namespace Socks.Core.Protocol;

/// <summary>A SOCKS5 request (RFC 1928 §4) as the client sent it.</summary>
public sealed class SocksRequest
{
    internal SocksRequest(byte command, AddressType addressType, IPAddress? address, byte[]? domainName, ushort port, byte[] hostBytes)
    {
        Command = command;
        AddressType = addressType;
        Address = address;
        DomainName = domainName;
        Port = port;
        HostBytes = hostBytes;
    }

    /// <summary>
    /// The raw CMD octet. It is kept as a byte because any value parses: the server answers REP X'07'
    /// (<see cref="ReplyCode.CommandNotSupported"/>) to commands it does not implement, including values
    /// that <see cref="SocksCommand"/> does not name.
    /// </summary>
    public byte Command { get; }

    /// <summary>ATYP: how <see cref="Address"/> or <see cref="DomainName"/> was given.</summary>
    public AddressType AddressType { get; }

    /// <summary>DST.ADDR for <see cref="AddressType.IPv4"/> and <see cref="AddressType.IPv6"/>; null for a domain name.</summary>
    public IPAddress? Address { get; }

    /// <summary>The raw DST.ADDR octets (1 to 255, no length prefix) for <see cref="AddressType.DomainName"/>; null otherwise.</summary>
    public byte[]? DomainName { get; }

    /// <summary>DST.PORT (network order on the wire).</summary>
    public ushort Port { get; }

    /// <summary>
    /// The destination host for logs: <see cref="DomainName"/> itself, or the ASCII text of <see cref="Address"/>
    /// (for example <c>192.0.2.1</c> or <c>2001:db8::1</c>). The port is not included.
    /// </summary>
    public byte[] HostBytes { get; }
}
