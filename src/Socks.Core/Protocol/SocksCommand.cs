namespace Socks.Core.Protocol;

/// <summary>The CMD field of a SOCKS5 request (RFC 1928 §4, and Tor's RESOLVE extensions).</summary>
public enum SocksCommand : byte
{
    /// <summary>X'01' CONNECT: open a TCP connection to the destination (RFC 1928 §4, §6).</summary>
    Connect = 0x01,

    /// <summary>X'02' BIND: accept one inbound TCP connection for the client (RFC 1928 §4, §6).</summary>
    Bind = 0x02,

    /// <summary>X'03' UDP ASSOCIATE: relay UDP datagrams for the client (RFC 1928 §4, §7).</summary>
    UdpAssociate = 0x03,

    /// <summary>
    /// X'F0' RESOLVE, a Tor extension (Tor's socks-extensions.txt §2): look up the DOMAINNAME in DST.ADDR and answer
    /// REP X'00' with its first address in BND.ADDR, BND.PORT 0; no connection is made.
    /// </summary>
    Resolve = 0xF0,

    /// <summary>
    /// X'F1' RESOLVE_PTR, a Tor extension (Tor's socks-extensions.txt §2): look up the name of the IPv4/IPv6 address
    /// in DST.ADDR and answer REP X'00' with it as a DOMAINNAME in BND.ADDR, BND.PORT 0.
    /// </summary>
    ResolvePtr = 0xF1,
}
