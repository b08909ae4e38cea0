using Mcp.Protocol;
using Socks.Core.Users;

namespace ProxyHost.Management;

/// <summary>
/// Maps the outcome of an <see cref="Socks.Core.IUserDirectory"/> change onto the MCP status that answers ADD_USER or REMOVE_USER
/// (memo §4.3, §4.4, §5), for the <see cref="IManagementBackend"/> implementation.
/// </summary>
internal static class UserChangeStatus
{
    /// <summary>Maps a <see cref="UserChangeResult"/> onto its status (the store documents one status per value).</summary>
    /// <param name="result">The store's result.</param>
    /// <returns><see cref="McpStatus.Ok"/>, <see cref="McpStatus.UserExists"/>, <see cref="McpStatus.UserNotFound"/> or <see cref="McpStatus.UserLimit"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="result"/> is not a defined value (a bug, not a wire condition).</exception>
    public static McpStatus From(UserChangeResult result) => result switch
    {
        UserChangeResult.Ok => McpStatus.Ok,
        UserChangeResult.UserExists => McpStatus.UserExists,
        UserChangeResult.UserNotFound => McpStatus.UserNotFound,
        UserChangeResult.UserLimit => McpStatus.UserLimit,
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, "Not a UserChangeResult value."),
    };

    /// <summary>
    /// Runs a directory change and maps its outcome. An <see cref="IOException"/> (the users file could not be saved,
    /// so the store refused the change) becomes <see cref="McpStatus.Error"/>, memo §5 "Error interno"; it is handed
    /// back as the failure so the caller can log it. Other exceptions are bugs and propagate.
    /// </summary>
    /// <param name="change">The change, e.g. <c>() =&gt; directory.AddAsync(name, password, token)</c>.</param>
    /// <returns>The status to answer, and the <see cref="IOException"/> when the status is <see cref="McpStatus.Error"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="change"/> is null.</exception>
    public static async ValueTask<(McpStatus Status, IOException? Failure)> ApplyAsync(Func<ValueTask<UserChangeResult>> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        UserChangeResult result;
        try
        {
            result = await change().ConfigureAwait(false);
        }
        catch (IOException exception)
        {
            return (McpStatus.Error, exception);
        }

        return (From(result), null);
    }
}
