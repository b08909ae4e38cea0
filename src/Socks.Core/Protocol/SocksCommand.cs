namespace Socks.Core.Protocol;

/// <summary>The CMD field of a SOCKS5 request (RFC 1928 §4).</summary>
public enum SocksCommand : byte
{
    /// <summary>X'01' CONNECT: open a TCP connection to the destination (RFC 1928 §4, §6).</summary>
    Connect = 0x01,

    /// <summary>X'02' BIND: accept one inbound TCP connection for the client (RFC 1928 §4, §6).</summary>
    Bind = 0x02,

    /// <summary>X'03' UDP ASSOCIATE: relay UDP datagrams for the client (RFC 1928 §4, §7).</summary>
    UdpAssociate = 0x03,
}
