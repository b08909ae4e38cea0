using System.Net;

namespace Socks.Core.Dissectors;

/// <summary>One credential seen by a dissector, as the credentials log records it.</summary>
public sealed record CredentialRecord
{
    /// <summary>When the client sent the credential (UTC).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The SOCKS (RFC 1929) user of the session, or null for an anonymous session.</summary>
    public byte[]? SocksUser { get; init; }

    /// <summary>The SOCKS client's address and port.</summary>
    public required IPEndPoint Client { get; init; }

    /// <summary>The server name as the SOCKS client requested it (domain name bytes or address text).</summary>
    public required byte[] ServerName { get; init; }

    /// <summary>The server address and port actually connected.</summary>
    public required IPEndPoint Server { get; init; }

    /// <summary>The application protocol, e.g. <c>POP3</c>.</summary>
    public required string Protocol { get; init; }

    /// <summary>How the credential was presented.</summary>
    public required CredentialMechanism Mechanism { get; init; }

    /// <summary>The user name sent to the server (for AUTH PLAIN, the authentication identity).</summary>
    public required byte[] User { get; init; }

    /// <summary>The password, or for APOP the digest.</summary>
    public required byte[] Secret { get; init; }

    /// <summary>Whether the server accepted it.</summary>
    public required CredentialOutcome Outcome { get; init; }
}
