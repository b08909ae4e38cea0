namespace Socks.Core.Server;

/// <summary>Which handshake message a session was reading when it ended there.</summary>
internal enum HandshakeStep : byte
{
    /// <summary>Not known, or between messages.</summary>
    Handshake,

    /// <summary>The greeting (RFC 1928 §3).</summary>
    Greeting,

    /// <summary>The username/password request (RFC 1929 §2).</summary>
    Authentication,

    /// <summary>The request (RFC 1928 §4).</summary>
    Request,
}
