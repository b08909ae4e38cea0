namespace Socks.Core.Protocol;

/// <summary>Fixed wire values of RFC 1928 and RFC 1929 that have no enum of their own.</summary>
internal static class Socks5Constants
{
    /// <summary>VER of every RFC 1928 message: X'05'.</summary>
    public const byte ProtocolVersion = 0x05;

    /// <summary>
    /// VER of the RFC 1929 username/password sub-negotiation (request and response): X'01'. Not X'05';
    /// the runtime's early SocksHelper confused the two.
    /// </summary>
    public const byte SubnegotiationVersion = 0x01;

    /// <summary>RFC 1929 §2 STATUS for success; any other value means failure.</summary>
    public const byte AuthStatusSuccess = 0x00;

    /// <summary>The STATUS this implementation writes for a failed authentication.</summary>
    public const byte AuthStatusFailure = 0x01;

    /// <summary>RSV field value (RFC 1928 §4, §6).</summary>
    public const byte Reserved = 0x00;

    /// <summary>Longest ULEN, PLEN, NMETHODS and domain-name length: they are single octets.</summary>
    public const int MaxFieldLength = 255;

    /// <summary>Bytes of an IPv4 address on the wire.</summary>
    public const int IPv4Length = 4;

    /// <summary>Bytes of an IPv6 address on the wire.</summary>
    public const int IPv6Length = 16;

    /// <summary>Longest UTF-8 text of an IP address (IPv6 with an embedded IPv4 and a scope id fits).</summary>
    public const int MaxAddressTextLength = 64;
}
