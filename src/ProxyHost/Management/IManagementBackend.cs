using Mcp.Protocol;

namespace ProxyHost.Management;

/// <summary>
/// The server state that the MCP commands read and change (MCP memo §4). <see cref="McpManagementServer"/> owns the
/// wire; an implementation adapts the SOCKS engine, the user store and the dissector switch to it.
/// </summary>
/// <remarks>
/// <para>Calls come from many admin connections at once, so every member must be safe for concurrent use.</para>
/// <para>The synchronous members run on the connection's task and must be quick (a snapshot, a flag flip). The
/// user list is asynchronous, as the user directory is. The user changes may be slow (PBKDF2, a file write and
/// fsync): they are asynchronous, and an implementation must move blocking work off the caller (e.g.
/// <c>Task.Run</c>), so that only the admin connection that asked waits for it.</para>
/// <para>A member that throws is answered with ERROR (memo §5, "Error interno") and logged; the connection keeps
/// serving. Statuses an implementation can return for user changes: <see cref="McpStatus.Ok"/>,
/// <see cref="McpStatus.UserExists"/>, <see cref="McpStatus.UserNotFound"/>, <see cref="McpStatus.UserLimit"/> and
/// <see cref="McpStatus.Error"/> (see <see cref="UserChangeStatus"/>).</para>
/// </remarks>
internal interface IManagementBackend
{
    /// <summary>GET_METRICS (memo §4.1): the six counters, as one consistent snapshot.</summary>
    /// <returns>The counters.</returns>
    McpMetrics GetMetrics();

    /// <summary>LIST_USERS (memo §4.2): the user names, in the order to report them.</summary>
    /// <param name="cancellationToken">Signalled when the admin connection or the server closes.</param>
    /// <returns>At most 255 names of 1 to 255 bytes each; the server does not keep or change them.</returns>
    ValueTask<IReadOnlyList<byte[]>> ListUsersAsync(CancellationToken cancellationToken);

    /// <summary>ADD_USER (memo §4.3).</summary>
    /// <param name="username">The user name, 1 to 255 bytes. Valid only until the returned task completes.</param>
    /// <param name="password">
    /// The password, 1 to 255 bytes. Valid only until the returned task completes: the server wipes it then, so an
    /// implementation that needs it later must derive what it keeps (a hash) before completing.
    /// </param>
    /// <param name="cancellationToken">Signalled when the admin connection or the server closes.</param>
    /// <returns>The status to answer.</returns>
    ValueTask<McpStatus> AddUserAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken);

    /// <summary>REMOVE_USER (memo §4.4).</summary>
    /// <param name="username">The user name, 1 to 255 bytes. Valid only until the returned task completes.</param>
    /// <param name="cancellationToken">Signalled when the admin connection or the server closes.</param>
    /// <returns>The status to answer.</returns>
    ValueTask<McpStatus> RemoveUserAsync(ReadOnlyMemory<byte> username, CancellationToken cancellationToken);

    /// <summary>TOGGLE_DISECTOR (memo §4.5): switches the traffic dissector on or off.</summary>
    /// <returns>The new state: <see langword="true"/> when the dissector is now on.</returns>
    bool ToggleDissector();

    /// <summary>GET_DISSECTOR (extension 0x83, docs/mcp-protocol.md §13.4): the dissector's state, unchanged.</summary>
    bool DissectorEnabled { get; }

    /// <summary>SET_DISSECTOR (extension 0x84, docs/mcp-protocol.md §13.5): switches the dissector on or off; idempotent.</summary>
    /// <param name="enabled">The state wanted.</param>
    /// <returns>The state now in force.</returns>
    bool SetDissector(bool enabled);
}
