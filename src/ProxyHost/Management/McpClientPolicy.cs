using System.Globalization;
using ProxyHost.Unix;

namespace ProxyHost.Management;

/// <summary>
/// Which admin clients the MCP listener serves: those whose uid is in <see cref="AllowedUids"/>, or every client
/// when <see cref="AllowAny"/> (docs/mcp-protocol.md §6; socks5d's <c>--mcp-allow-uid</c>). A client whose uid is
/// unknown (another host, or a local socket the kernel could not attribute) is served only with <see cref="AllowAny"/>.
/// </summary>
internal sealed record McpClientPolicy
{
    /// <summary>Creates a policy.</summary>
    /// <param name="allowedUids">The uids served.</param>
    /// <param name="allowAny">Serve every client, whatever its uid, and clients without one.</param>
    public McpClientPolicy(IEnumerable<uint> allowedUids, bool allowAny = false)
    {
        AllowedUids = new SortedSet<uint>(allowedUids);
        AllowAny = allowAny;
    }

    /// <summary>
    /// Gets the default policy of socks5d: root and the uid socks5d runs as. Both can read the process's memory or
    /// replace its binary anyway, so serving them gives away nothing.
    /// </summary>
    public static McpClientPolicy Default { get; } = new([0, UnixAccounts.EffectiveUid]);

    /// <summary>Gets the uids served, in ascending order.</summary>
    public IReadOnlySet<uint> AllowedUids { get; }

    /// <summary>Gets a value indicating whether every client is served.</summary>
    public bool AllowAny { get; }

    /// <summary>Decides whether <paramref name="peer"/> is served.</summary>
    /// <param name="peer">The client.</param>
    /// <returns>True when served.</returns>
    public bool Admits(McpPeer peer) => AllowAny || (peer.Uid is { } uid && AllowedUids.Contains(uid));

    /// <summary>Describes the policy for the log: <c>uid 0, 998</c> or <c>any client</c>.</summary>
    /// <returns>The text.</returns>
    public string Describe() => AllowAny ? "any client" : "uid " + UidList();

    /// <summary>The allowed uids as <c>0, 998</c>.</summary>
    /// <returns>The text.</returns>
    public string UidList() => string.Join(", ", AllowedUids.Select(uid => uid.ToString(CultureInfo.InvariantCulture)));
}
