using Mcp.Protocol;
using Microsoft.Extensions.Logging;
using ProxyHost.Management;
using Socks.Core;
using Socks.Core.Dissectors;
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
internal sealed class ManagementBackend : IManagementBackend
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
