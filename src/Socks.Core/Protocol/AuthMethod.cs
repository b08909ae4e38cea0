namespace Socks.Core.Protocol;

/// <summary>
/// A METHOD value of the SOCKS5 method negotiation (RFC 1928 §3). Values without a name here are still
/// legal on the wire: X'03' to X'7F' are IANA assigned and X'80' to X'FE' are reserved for private methods.
/// </summary>
public enum AuthMethod : byte
{
    /// <summary>X'00' NO AUTHENTICATION REQUIRED (RFC 1928 §3).</summary>
    NoAuthentication = 0x00,

    /// <summary>X'01' GSSAPI (RFC 1928 §3, RFC 1961).</summary>
    GssApi = 0x01,

    /// <summary>X'02' USERNAME/PASSWORD (RFC 1928 §3, RFC 1929).</summary>
    UsernamePassword = 0x02,

    /// <summary>X'FF' NO ACCEPTABLE METHODS: the server's answer when it accepts none of the offered methods (RFC 1928 §3).</summary>
    NoAcceptableMethods = 0xFF,
}
