using System.Globalization;

namespace ProxyHost.Management;

/// <summary>Who is on the other end of an admin connection, as the kernel tells it (docs/mcp-protocol.md §6).</summary>
/// <param name="Client">
/// For the log: the client's address and port, or <c>unix:PATH (pid N)</c> for a Unix-socket client (which has no
/// address of its own; the pid is the one that connected).
/// </param>
/// <param name="Uid">The client's uid, or null when it could not be learnt.</param>
/// <param name="Unknown">Why there is no uid (null when there is one), for the log.</param>
internal sealed record McpPeer(string Client, uint? Uid, string? Unknown)
{
    /// <summary>Gets the uid as the log shows it: the number, or <c>unknown</c>.</summary>
    public string UidText => Uid?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
}
