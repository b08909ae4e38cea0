using Mcp.Protocol;

namespace McpCli.Watch;

/// <summary>
/// Where the dashboard's per-user table comes from: the USER_STATS extension (0x80, docs/mcp-protocol.md §13.1).
/// </summary>
/// <remarks>
/// This build's <see cref="McpClient"/> has no USER_STATS call, so every server counts as one without it and the
/// dashboard says "per-user statistics: not supported by this server". With the call, <see cref="ReadAsync"/> maps its
/// entries to <see cref="WatchUser"/> and answers null after a CMD_NOT_SUPPORTED (then asks no more); nothing else in
/// the dashboard changes.
/// </remarks>
internal sealed class UserStatistics
{
    /// <summary>Reads every user's counters, or null when the server does not support USER_STATS.</summary>
    public Task<IReadOnlyList<WatchUser>?> ReadAsync(McpClient client, CancellationToken cancellationToken)
    {
        _ = client;
        _ = cancellationToken;
        return Task.FromResult<IReadOnlyList<WatchUser>?>(null);
    }
}
