using System.Runtime.InteropServices;
using Mcp.Protocol;

namespace McpCli.Watch;

/// <summary>
/// Where the dashboard's per-user table comes from: the USER_STATS extension (0x80, docs/mcp-protocol.md §13.1),
/// every page of it, each refresh.
/// </summary>
/// <remarks>
/// A server without the extension answers CMD_NOT_SUPPORTED, which leaves the connection usable: the dashboard then
/// says "per-user statistics: not supported by this server" and does not ask again while it runs.
/// </remarks>
internal sealed class UserStatistics
{
    private bool _unsupported;

    /// <summary>Reads every user's counters, or null when the server does not support USER_STATS.</summary>
    public async Task<IReadOnlyList<WatchUser>?> ReadAsync(McpClient client, CancellationToken cancellationToken)
    {
        if (_unsupported)
        {
            return null;
        }

        IReadOnlyList<McpUserStatsEntry> entries;
        try
        {
            entries = await client.GetUserStatsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (McpStatusException e) when (e.Status == McpStatus.CommandNotSupported)
        {
            _unsupported = true;
            return null;
        }

        var users = new WatchUser[entries.Count];
        for (var i = 0; i < users.Length; i++)
        {
            var entry = entries[i];
            var name = MemoryMarshal.TryGetArray(entry.Username, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : entry.Username.ToArray();
            users[i] = new WatchUser(name, entry.ActiveSessions, entry.Sessions, entry.BytesUp, entry.BytesDown);
        }

        return users;
    }
}
