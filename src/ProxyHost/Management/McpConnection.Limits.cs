using Mcp.Protocol;

namespace ProxyHost.Management;

/// <summary>The limits extension (docs/mcp-protocol.md §13.1-§13.3), served when the backend implements <see cref="IUserLimitsBackend"/>.</summary>
internal sealed partial class McpConnection
{
    /// <summary>Whether this connection serves <paramref name="command"/> as an extension.</summary>
    private bool ServesExtension(McpCommand command) =>
        command is McpCommand.UserStats or McpCommand.GetLimits or McpCommand.SetLimits && _backend is IUserLimitsBackend
        || command is McpCommand.FleetUserStats && _backend is IUserLimitsBackend { ServesFleetStatistics: true };

    private async ValueTask<McpResponse> ExecuteLimitsAsync(McpRequest request, CancellationToken token)
    {
        var backend = (IUserLimitsBackend)_backend;
        switch (request.Command)
        {
            case McpCommand.UserStats:
            case McpCommand.FleetUserStats:
            {
                if (!McpExtensionCodec.TryReadUserStatsRequest(request, out var start, out var problem))
                {
                    return Malformed(request.Command, problem!);
                }

                var fleet = request.Command == McpCommand.FleetUserStats;
                var users = fleet
                    ? await backend.GetFleetUserStatsAsync(token).ConfigureAwait(false)
                    : await backend.GetUserStatsAsync(token).ConfigureAwait(false);
                if (start > users.Count)
                {
                    return Malformed(request.Command, $"START {start} is past TOTAL {users.Count}.");
                }

                var count = McpExtensionCodec.UserStatsPageCount(users, start);
                var page = users.Skip(start).Take(count).ToList();
                return fleet
                    ? McpExtensionCodec.FleetUserStatsResponse(users.Count, start, page)
                    : McpExtensionCodec.UserStatsResponse(users.Count, start, page);
            }

            case McpCommand.GetLimits:
            {
                if (!McpExtensionCodec.TryReadGetLimitsRequest(request, out var username, out var problem))
                {
                    return Malformed(request.Command, problem!);
                }

                var (status, limits, used) = await backend.GetLimitsAsync(username, token).ConfigureAwait(false);
                return status == McpStatus.Ok ? McpExtensionCodec.GetLimitsResponse(limits, used) : McpResponse.Failure(request.Command, status);
            }

            default:
            {
                if (!McpExtensionCodec.TryReadSetLimitsRequest(request, out var username, out var limits, out var problem))
                {
                    return Malformed(request.Command, problem!);
                }

                var status = await backend.SetLimitsAsync(username, limits, token).ConfigureAwait(false);
                var user = LogText.EscapeName(username.Span);
                if (status == McpStatus.Ok)
                {
                    Log.LimitsSet(_logger, Id, Peer.Client, Peer.UidText, user, limits.MaxSessions, limits.RateUp, limits.RateDown, limits.Quota, limits.Period.ToString().ToLowerInvariant());
                    return McpExtensionCodec.SetLimitsResponse();
                }

                Log.UserChangeRefused(_logger, Id, Peer.Client, Peer.UidText, McpNames.GetName(request.Command), user, McpNames.GetName(status));
                return McpResponse.Failure(request.Command, status);
            }
        }
    }

    private McpResponse Malformed(McpCommand command, string problem)
    {
        // The frame was delimited by LEN, so the connection stays in step: ERROR, and keep serving (memo §5 0x01).
        Log.ExtensionRequestMalformed(_logger, Id, McpNames.GetName(command), problem);
        return McpResponse.Failure(command, McpStatus.Error);
    }
}
