namespace Socks.Core.Protocol;

/// <summary>
/// Why a <see cref="Socks5Reader"/> method returned <see cref="System.Buffers.OperationStatus.InvalidData"/>.
/// Each value names the first field, in wire order, that no later byte could make valid.
/// <see cref="SocksParseErrorExtensions.ToReplyCode"/> gives the REP code a server sends for a request error.
/// </summary>
internal enum SocksParseError
{
    /// <summary>No error: the message was read, or more data is needed.</summary>
    None = 0,

    /// <summary>
    /// VER of an RFC 1928 message (greeting, method selection, request or reply) is not X'05'.
    /// The peer does not speak SOCKS5, so there is no reply it would understand: close the connection.
    /// </summary>
    BadVersion,

    /// <summary>
    /// VER of an RFC 1929 §2 username/password request or response is not X'01' (a client that sends X'05'
    /// here confused it with the SOCKS version). Close the connection.
    /// </summary>
    BadSubnegotiationVersion,

    /// <summary>
    /// NMETHODS of a greeting is 0 (RFC 1928 §3 allows 1 to 255). The client offered nothing acceptable:
    /// a server answers METHOD X'FF' (<see cref="AuthMethod.NoAcceptableMethods"/>) and closes.
    /// </summary>
    NoMethods,

    /// <summary>
    /// A length octet is 0 where RFC 1928/1929 require 1 to 255: ULEN or PLEN of a username/password request
    /// (a server answers a non-zero STATUS and closes), or the length of an ATYP X'03' domain name in a request
    /// or reply (a server answers REP X'01').
    /// </summary>
    BadLength,

    /// <summary>
    /// ATYP of a request or reply is none of X'01', X'03', X'04'. The rest of the message cannot be delimited;
    /// a server answers REP X'08' (<see cref="ReplyCode.AddressTypeNotSupported"/>) and closes.
    /// </summary>
    UnsupportedAddressType,
}
