using Mcp.Protocol;

namespace ProxyHost.Management;

/// <summary>
/// The state behind the limits extension (docs/mcp-protocol.md §13.1-§13.3: USER_STATS, GET_LIMITS, SET_LIMITS). A
/// backend that also implements this interface serves those commands; without it they are answered
/// CMD_NOT_SUPPORTED, as from a server that lacks the extension. Same concurrency rules as <see cref="IManagementBackend"/>.
/// </summary>
internal interface IUserLimitsBackend
{
    /// <summary>USER_STATS: every user's statistics and limits, ordered by name (ordinal byte order), at most 255.</summary>
    /// <param name="cancellationToken">Signalled when the admin connection or the server closes.</param>
    /// <returns>The entries.</returns>
    ValueTask<IReadOnlyList<McpUserStatsEntry>> GetUserStatsAsync(CancellationToken cancellationToken);

    /// <summary>Whether FLEET_USER_STATS (§13.6) is served: the users are shared with a fleet through Redis.</summary>
    bool ServesFleetStatistics { get; }

    /// <summary>
    /// FLEET_USER_STATS: every user's fleet-wide statistics and this node's limits and quota used, in the order of
    /// <see cref="GetUserStatsAsync"/>. Throws (answered ERROR) when Redis does not answer.
    /// </summary>
    /// <param name="cancellationToken">Signalled when the admin connection or the server closes.</param>
    /// <returns>The entries.</returns>
    ValueTask<IReadOnlyList<McpUserStatsEntry>> GetFleetUserStatsAsync(CancellationToken cancellationToken);

    /// <summary>GET_LIMITS: one user's limits and quota used.</summary>
    /// <param name="username">The name; valid until the returned task completes.</param>
    /// <param name="cancellationToken">Signalled when the admin connection or the server closes.</param>
    /// <returns><see cref="McpStatus.Ok"/> with the limits, or <see cref="McpStatus.UserNotFound"/>.</returns>
    ValueTask<(McpStatus Status, McpUserLimits Limits, ulong QuotaUsed)> GetLimitsAsync(ReadOnlyMemory<byte> username, CancellationToken cancellationToken);

    /// <summary>SET_LIMITS: replaces one user's limits, saved (durable, atomic) before it completes.</summary>
    /// <param name="username">The name; valid until the returned task completes.</param>
    /// <param name="limits">Valid limits (<see cref="McpUserLimits.IsValid"/>).</param>
    /// <param name="cancellationToken">Signalled when the admin connection or the server closes.</param>
    /// <returns><see cref="McpStatus.Ok"/>, <see cref="McpStatus.UserNotFound"/>, or <see cref="McpStatus.Error"/> (a value the server cannot hold, or the file could not be saved).</returns>
    ValueTask<McpStatus> SetLimitsAsync(ReadOnlyMemory<byte> username, McpUserLimits limits, CancellationToken cancellationToken);
}
