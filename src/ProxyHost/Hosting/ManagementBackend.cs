using Mcp.Protocol;
using Microsoft.Extensions.Logging;
using ProxyHost.Management;
using Socks.Core;
using Socks.Core.Dissectors;
using Socks.Core.Limits;
using Socks.Core.Users;

namespace ProxyHost.Hosting;

/// <summary>
/// What the MCP commands of socks5d read and change: the SOCKS server's counters (GET_METRICS), the user directory
/// (LIST_USERS, ADD_USER, REMOVE_USER) and the dissector switch (TOGGLE_DISECTOR, GET_DISSECTOR, SET_DISSECTOR). See
/// docs/mcp-protocol.md.
/// </summary>
/// <remarks>
/// <para>Users are reached only through <see cref="IUserDirectory"/>. User changes take effect for the next handshake
/// (the store publishes a new snapshot). With a users file, the store writes and syncs the file before the change
/// returns, so the OK reply goes out only once the change is in the file; a file that cannot be written answers ERROR
/// and changes nothing (a file written whose directory could not be synced is OK: the store logs a warning). Removing
/// a user also closes that user's open sessions: the SOCKS server handles the directory's
/// <see cref="IUserDirectory.UserRemoved"/> event.</para>
/// <para>MCP's own limit lives here: LIST_USERS counts users in one byte, so a directory that could hold more than
/// <see cref="McpConstants.MaxUsers"/> is refused.</para>
/// <para>Isolation: a user change costs a PBKDF2 derivation (about 0.2 s of one core) and an fsync. Changes run one
/// at a time (a gate here), and <see cref="UserStore"/> runs each on a thread of its own, never on a thread-pool
/// thread, so admin work can neither starve the SOCKS sessions' thread-pool work nor use more than one core, however
/// many admin clients ask at once.</para>
/// </remarks>
internal sealed class ManagementBackend : IManagementBackend, IUserLimitsBackend
{
    private readonly SocksServer _server;
    private readonly IUserDirectory _users;
    private readonly DissectorSwitch _dissector;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _changeGate = new(1, 1);

    /// <summary>Creates the backend.</summary>
    /// <param name="server">The SOCKS server whose counters GET_METRICS reports.</param>
    /// <param name="users">The directory of the users the SOCKS server authenticates.</param>
    /// <param name="dissector">The switch the credential dissector reads.</param>
    /// <param name="logger">Where failures to save the users file are reported.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The directory's <see cref="IUserDirectory.MaxUsers"/> is above <see cref="McpConstants.MaxUsers"/>: LIST_USERS
    /// could not report all its users.
    /// </exception>
    public ManagementBackend(SocksServer server, IUserDirectory users, DissectorSwitch dissector, ILogger<ManagementBackend> logger)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(users.MaxUsers, McpConstants.MaxUsers, "users.MaxUsers");
        _server = server;
        _users = users;
        _dissector = dissector;
        _logger = logger;
    }

    /// <inheritdoc/>
    public McpMetrics GetMetrics()
    {
        // One consistent snapshot of the engine (docs/architecture.md, "Metrics"); the counters never go negative.
        var metrics = _server.GetMetrics();
        return new McpMetrics(
            (ulong)metrics.HistoricalConnections,
            (ulong)metrics.ConcurrentConnections,
            (ulong)metrics.BytesTransferred,
            (ulong)metrics.SuccessfulConnections,
            (ulong)metrics.FailedConnections,
            (ulong)metrics.ClientBytes);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<byte[]>> ListUsersAsync(CancellationToken cancellationToken) => _users.ListUsersAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask<McpStatus> AddUserAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken) =>
        ChangeAsync(McpCommand.AddUser, token => _users.AddAsync(username, password, token), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<McpStatus> RemoveUserAsync(ReadOnlyMemory<byte> username, CancellationToken cancellationToken) =>
        ChangeAsync(McpCommand.RemoveUser, token => _users.RemoveAsync(username, token), cancellationToken);

    /// <inheritdoc/>
    public bool ToggleDissector() => _dissector.Toggle();

    /// <inheritdoc/>
    public bool DissectorEnabled => _dissector.Enabled;

    /// <inheritdoc/>
    public bool SetDissector(bool enabled)
    {
        _dissector.Enabled = enabled;
        return _dissector.Enabled;
    }

    public async ValueTask<IReadOnlyList<McpUserStatsEntry>> GetUserStatsAsync(CancellationToken cancellationToken)
    {
        var names = (await _users.ListUsersAsync(cancellationToken).ConfigureAwait(false)).ToList();
        names.Sort(static (a, b) => a.AsSpan().SequenceCompareTo(b));
        var statistics = new Dictionary<string, Socks.Core.Metrics.UserStatistics>(StringComparer.Ordinal);
        foreach (var user in _server.GetUserStatistics())
        {
            statistics[Convert.ToBase64String(user.Username)] = user;
        }

        var entries = new List<McpUserStatsEntry>(names.Count);
        foreach (var name in names)
        {
            statistics.TryGetValue(Convert.ToBase64String(name), out var s);
            var limits = LimitsOf(name);
            entries.Add(new McpUserStatsEntry(
                name,
                (uint)(s?.ActiveSessions ?? 0),
                (ulong)(s?.Sessions ?? 0),
                (ulong)(s?.BytesUp ?? 0),
                (ulong)(s?.BytesDown ?? 0),
                (ulong)(s?.LastLoginUnixMilliseconds ?? 0),
                (ulong)(s?.Denials ?? 0),
                ToMcp(limits),
                limits.Quota == 0 ? 0 : (ulong)(s?.QuotaUsed ?? 0)));
        }

        return entries;
    }

    /// <inheritdoc/>
    public bool ServesFleetStatistics => _users is Socks.Users.Redis.RedisUserStore;

    /// <inheritdoc/>
    /// <remarks>The counters are the fleet's (docs/fleet.md "Statistics across the fleet"); limits and QUOTA_USED are this node's.</remarks>
    public async ValueTask<IReadOnlyList<McpUserStatsEntry>> GetFleetUserStatsAsync(CancellationToken cancellationToken)
    {
        var fleet = (Socks.Users.Redis.RedisUserStore)_users;
        var node = await GetUserStatsAsync(cancellationToken).ConfigureAwait(false);
        var totals = await fleet.GetFleetStatisticsAsync(node.Select(static entry => entry.Username.ToArray()).ToList(), cancellationToken).ConfigureAwait(false);
        var entries = new List<McpUserStatsEntry>(node.Count);
        for (var i = 0; i < node.Count; i++)
        {
            var total = totals[i];
            entries.Add(new McpUserStatsEntry(
                node[i].Username,
                (uint)Math.Min(total.ActiveSessions, uint.MaxValue),
                (ulong)total.Sessions,
                (ulong)total.BytesUp,
                (ulong)total.BytesDown,
                (ulong)total.LastLoginUnixMilliseconds,
                (ulong)total.Denials,
                node[i].Limits,
                node[i].QuotaUsed));
        }

        return entries;
    }

    /// <inheritdoc/>
    public ValueTask<(McpStatus Status, McpUserLimits Limits, ulong QuotaUsed)> GetLimitsAsync(ReadOnlyMemory<byte> username, CancellationToken cancellationToken)
    {
        if (_users is not IUserLimits store || !store.TryGetLimits(username.Span, out var limits))
        {
            return ValueTask.FromResult((McpStatus.UserNotFound, default(McpUserLimits), 0UL));
        }

        var used = limits.Quota == 0 ? 0 : _server.GetUserStatistics().FirstOrDefault(s => username.Span.SequenceEqual(s.Username))?.QuotaUsed ?? 0;
        return ValueTask.FromResult((McpStatus.Ok, ToMcp(limits), (ulong)used));
    }

    /// <inheritdoc/>
    public ValueTask<McpStatus> SetLimitsAsync(ReadOnlyMemory<byte> username, McpUserLimits limits, CancellationToken cancellationToken)
    {
        // The engine holds counts as int and rates as long: larger values are refused, never cut down silently.
        if (_users is not (UserStore or Socks.Users.Redis.RedisUserStore)
            || limits.MaxSessions > int.MaxValue || limits.RateUp > long.MaxValue || limits.RateDown > long.MaxValue || limits.Quota > long.MaxValue)
        {
            return ValueTask.FromResult(McpStatus.Error);
        }

        var engine = new UserLimits((int)limits.MaxSessions, (long)limits.RateUp, (long)limits.RateDown, (long)limits.Quota, (QuotaPeriod)limits.Period);
        // With --redis the limits are set in Redis for the whole fleet (docs/fleet.md).
        return ChangeAsync(McpCommand.SetLimits, token => _users is Socks.Users.Redis.RedisUserStore fleet
            ? fleet.SetLimitsAsync(username, engine, token)
            : ((UserStore)_users).SetLimitsAsync(username, engine, token), cancellationToken);
    }

    private UserLimits LimitsOf(byte[] name) =>
        _users is IUserLimits store && store.TryGetLimits(name, out var limits) ? limits : UserLimits.None;

    private static McpUserLimits ToMcp(UserLimits limits) =>
        new((uint)limits.MaxSessions, (ulong)limits.RateUp, (ulong)limits.RateDown, (ulong)limits.Quota, (McpQuotaPeriod)limits.Period);

    private async ValueTask<McpStatus> ChangeAsync(
        McpCommand command, Func<CancellationToken, ValueTask<UserChangeResult>> change, CancellationToken cancellationToken)
    {
        // Waiting for an earlier change may be cancelled (the admin connection or the server closed): nothing happened.
        await _changeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Once started, a change is not abandoned (the directory's contract): file and memory agree, and the
            // credentials it reads stay valid until it returns (the MCP server wipes the password then).
            var (status, failure) = await UserChangeStatus.ApplyAsync(() => change(cancellationToken)).ConfigureAwait(false);
            if (failure is not null)
            {
                Log.UsersFileNotSaved(_logger, McpNames.GetName(command), failure.Message);
            }

            return status;
        }
        finally
        {
            _changeGate.Release();
        }
    }
}
