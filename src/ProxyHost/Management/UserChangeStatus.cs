using Mcp.Protocol;
using Socks.Core.Users;

namespace ProxyHost.Management;

/// <summary>
/// Maps the outcome of a <see cref="UserStore"/> change onto the MCP status that answers ADD_USER or REMOVE_USER
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
    /// Runs a store change and maps its outcome. An <see cref="IOException"/> (the users file could not be saved, so
    /// the store refused the change) becomes <see cref="McpStatus.Error"/>, memo §5 "Error interno"; it is handed
    /// back through <paramref name="failure"/> so the caller can log it. Other exceptions are bugs and propagate.
    /// </summary>
    /// <param name="change">The change, e.g. <c>() =&gt; store.Add(name, password)</c>. Runs on the calling thread.</param>
    /// <param name="failure">The <see cref="IOException"/> when the result is <see cref="McpStatus.Error"/>; otherwise null.</param>
    /// <returns>The status to answer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="change"/> is null.</exception>
    public static McpStatus Apply(Func<UserChangeResult> change, out IOException? failure)
    {
        ArgumentNullException.ThrowIfNull(change);
        UserChangeResult result;
        try
        {
            result = change();
        }
        catch (IOException exception)
        {
            failure = exception;
            return McpStatus.Error;
        }

        failure = null;
        return From(result);
    }
}
