using Mcp.Protocol;
using Microsoft.Extensions.Logging;
using ProxyHost.Management;
using Socks.Core.Dissectors;
using Socks.Core.Server;
using Socks.Core.Users;

namespace ProxyHost.Hosting;

/// <summary>
/// What the MCP commands of socks5d read and change: the SOCKS server's counters (GET_METRICS), the user store
/// (LIST_USERS, ADD_USER, REMOVE_USER) and the dissector switch (TOGGLE_DISECTOR). See docs/mcp-protocol.md.
/// </summary>
/// <remarks>
/// <para>User changes take effect for the next handshake (the store publishes a new snapshot). With a users file, the
/// store writes and syncs the file before the change returns, so the OK reply goes out only once the change is on
/// disk; a file that cannot be written answers ERROR and changes nothing. Removing a user also closes that user's
/// open sessions: the SOCKS server handles the store's <see cref="UserStore.UserRemoved"/> event.</para>
/// <para>Isolation: a user change costs a PBKDF2 derivation (about 0.2 s of one core) and an fsync. Changes run one
/// at a time, each on a thread of its own, never on a thread-pool thread, so admin work can neither starve the SOCKS
/// sessions' thread-pool work nor use more than one core, however many admin clients ask at once.</para>
/// </remarks>
internal sealed class ManagementBackend : IManagementBackend
{
    private readonly SocksServer _server;
    private readonly UserStore _users;
    private readonly DissectorSwitch _dissector;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _changeGate = new(1, 1);

    /// <summary>Creates the backend.</summary>
    /// <param name="server">The SOCKS server whose counters GET_METRICS reports.</param>
    /// <param name="users">The user store the SOCKS server authenticates against.</param>
    /// <param name="dissector">The switch the credential dissector reads.</param>
    /// <param name="logger">Where failures to save the users file are reported.</param>
    public ManagementBackend(SocksServer server, UserStore users, DissectorSwitch dissector, ILogger<ManagementBackend> logger)
    {
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
    public IReadOnlyList<byte[]> ListUsers() => _users.ListUsers();

    /// <inheritdoc/>
    public ValueTask<McpStatus> AddUserAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken) =>
        ChangeAsync(McpCommand.AddUser, () => _users.Add(username.Span, password.Span), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<McpStatus> RemoveUserAsync(ReadOnlyMemory<byte> username, CancellationToken cancellationToken) =>
        ChangeAsync(McpCommand.RemoveUser, () => _users.Remove(username.Span), cancellationToken);

    /// <inheritdoc/>
    public bool ToggleDissector() => _dissector.Toggle();

    private async ValueTask<McpStatus> ChangeAsync(McpCommand command, Func<UserChangeResult> change, CancellationToken cancellationToken)
    {
        // Waiting for an earlier change may be cancelled (the admin connection or the server closed): nothing happened.
        await _changeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Once started, a change is not abandoned: the store must finish it (file and memory agree), and the
            // credentials it reads stay valid only until this method returns (the MCP server wipes the password then).
            var (status, failure) = await Task.Factory.StartNew(
                () => (UserChangeStatus.Apply(change, out var failure), failure),
                CancellationToken.None,
                TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
                TaskScheduler.Default).ConfigureAwait(false);
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
