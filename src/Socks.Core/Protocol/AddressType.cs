namespace Socks.Core.Protocol;

/// <summary>The ATYP field of a SOCKS5 request or reply (RFC 1928 §4, §5).</summary>
public enum AddressType : byte
{
    /// <summary>X'01' IP V4 address: DST.ADDR is 4 octets.</summary>
    IPv4 = 0x01,

    /// <summary>X'03' DOMAINNAME: DST.ADDR is one length octet followed by that many octets of name, without a terminating NUL.</summary>
    DomainName = 0x03,

    /// <summary>X'04' IP V6 address: DST.ADDR is 16 octets.</summary>
    IPv6 = 0x04,
}
