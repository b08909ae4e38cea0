namespace Mcp.Protocol;

/// <summary>The limits extension (docs/mcp-protocol.md §13.1-§13.3): USER_STATS, GET_LIMITS, SET_LIMITS.</summary>
public sealed partial class McpClient
{
    /// <summary>
    /// Sends USER_STATS (0x80) page by page (START = START + COUNT until START + COUNT &gt;= TOTAL) and returns every
    /// user's statistics and limits, in the server's order (by name, ordinal bytes).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns>All entries.</returns>
    /// <exception cref="McpStatusException">The server answered a non-OK status; <see cref="McpStatus.CommandNotSupported"/> from a server without the extension.</exception>
    /// <exception cref="McpProtocolException">A malformed page, or a page that does not continue where the previous one ended.</exception>
    /// <exception cref="McpException">Connection closed or unusable.</exception>
    public Task<IReadOnlyList<McpUserStatsEntry>> GetUserStatsAsync(CancellationToken cancellationToken = default) =>
        GetUserStatsPagesAsync(McpExtensionCodec.UserStatsRequest, cancellationToken);

    /// <summary>
    /// Sends FLEET_USER_STATS (0x85, docs/mcp-protocol.md §13.6) page by page, as <see cref="GetUserStatsAsync"/> does
    /// USER_STATS, and returns every user's fleet-wide statistics (the counters of all the nodes sharing the users) and limits.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns>All entries.</returns>
    /// <exception cref="McpStatusException">The server answered a non-OK status; <see cref="McpStatus.CommandNotSupported"/> from a server that is not part of a fleet (the connection stays usable).</exception>
    /// <exception cref="McpProtocolException">A malformed page, or a page that does not continue where the previous one ended.</exception>
    /// <exception cref="McpException">Connection closed or unusable.</exception>
    public Task<IReadOnlyList<McpUserStatsEntry>> GetFleetUserStatsAsync(CancellationToken cancellationToken = default) =>
        GetUserStatsPagesAsync(McpExtensionCodec.FleetUserStatsRequest, cancellationToken);

    private async Task<IReadOnlyList<McpUserStatsEntry>> GetUserStatsPagesAsync(Func<byte, McpRequest> request, CancellationToken cancellationToken)
    {
        var entries = new List<McpUserStatsEntry>();
        byte start = 0;
        while (true)
        {
            var response = await SendAsync(request(start), cancellationToken).ConfigureAwait(false);
            ThrowIfNotOk(response);
            if (!McpExtensionCodec.TryReadUserStatsResponse(response, out var page, out var problem))
            {
                throw new McpProtocolException(problem!);
            }

            if (page.Start != start || (page.Entries.Count == 0 && !page.IsLast))
            {
                throw new McpProtocolException($"{McpNames.GetName(response.Command)} asked for START {start} but got START {page.Start} with {page.Entries.Count} entries of {page.Total}.");
            }

            entries.AddRange(page.Entries);
            if (page.IsLast)
            {
                return entries;
            }

            start = (byte)(page.Start + page.Entries.Count);
        }
    }

    /// <summary>Sends GET_LIMITS (0x81): one user's limits and the bytes counted against its quota in the current period.</summary>
    /// <param name="username">The user name, 1 to 255 bytes.</param>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns>The limits and QUOTA_USED.</returns>
    /// <exception cref="ArgumentException">The user name is empty or longer than 255 bytes; nothing is sent.</exception>
    /// <exception cref="McpStatusException">A non-OK status: <see cref="McpStatus.UserNotFound"/>, or <see cref="McpStatus.CommandNotSupported"/> from a server without the extension.</exception>
    /// <exception cref="McpProtocolException">A malformed response.</exception>
    /// <exception cref="McpException">Connection closed or unusable.</exception>
    public async Task<(McpUserLimits Limits, ulong QuotaUsed)> GetLimitsAsync(ReadOnlyMemory<byte> username, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(McpExtensionCodec.GetLimitsRequest(username.Span), cancellationToken).ConfigureAwait(false);
        ThrowIfNotOk(response);
        if (!McpExtensionCodec.TryReadGetLimitsResponse(response, out var limits, out var used, out var problem))
        {
            throw new McpProtocolException(problem!);
        }

        return (limits, used);
    }

    /// <summary>Sends SET_LIMITS (0x82): replaces one user's limits (all zero removes them); the server saves them before it answers.</summary>
    /// <param name="username">The user name, 1 to 255 bytes.</param>
    /// <param name="limits">The limits (<see cref="McpUserLimits.IsValid"/>).</param>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns>A task that completes when the server has set the limits.</returns>
    /// <exception cref="ArgumentException">The user name is empty or too long, or the limits are not valid; nothing is sent.</exception>
    /// <exception cref="McpStatusException">A non-OK status: <see cref="McpStatus.UserNotFound"/>, <see cref="McpStatus.Error"/>, or <see cref="McpStatus.CommandNotSupported"/> from a server without the extension.</exception>
    /// <exception cref="McpProtocolException">A malformed response.</exception>
    /// <exception cref="McpException">Connection closed or unusable.</exception>
    public async Task SetLimitsAsync(ReadOnlyMemory<byte> username, McpUserLimits limits, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(McpExtensionCodec.SetLimitsRequest(username.Span, limits), cancellationToken).ConfigureAwait(false);
        ThrowIfNotOk(response);
        if (!McpExtensionCodec.TryReadSetLimitsResponse(response, out var problem))
        {
            throw new McpProtocolException(problem!);
        }
    }
}
