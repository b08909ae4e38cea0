using System.Net;

namespace Socks.Core.Dissectors;

/// <summary>What a traffic observer knows about the session it watches, fixed once the target is connected.</summary>
public sealed record SessionInfo
{
    /// <summary>The server-wide id of the session (as used in logs).</summary>
    public required long SessionId { get; init; }

    /// <summary>The RFC 1929 username of the client, or null for an anonymous session.</summary>
    public byte[]? Username { get; init; }

    /// <summary>The client's address and port.</summary>
    public required IPEndPoint Client { get; init; }

    /// <summary>The destination host exactly as the client gave it (domain name bytes or address text).</summary>
    public required byte[] RequestedHost { get; init; }

    /// <summary>The destination port the client asked for.</summary>
    public required ushort RequestedPort { get; init; }

    /// <summary>The address and port actually connected.</summary>
    public required IPEndPoint Target { get; init; }

    /// <summary>The session as every seam sees it (method, user, request, clocks), or null when the observer is used outside a server.</summary>
    public SessionContext? Session { get; init; }
}
