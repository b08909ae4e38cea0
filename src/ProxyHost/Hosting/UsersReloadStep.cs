using Socks.Core.Users;

namespace ProxyHost.Hosting;

/// <summary>The SIGHUP step that re-reads the users file: the file is the truth, and a bad file changes nothing.</summary>
internal static class UsersReloadStep
{
    /// <summary>The step's name in the SIGHUP line.</summary>
    public const string Name = "users file";

    /// <summary>Re-reads <paramref name="users"/>' file. Add it once the SOCKS server is subscribed to the store's removals.</summary>
    /// <param name="users">A store with a users file.</param>
    /// <returns>"/var/lib/socks5d/users reloaded: 3 users (1 added, 1 removed, 0 changed)", or why nothing changed.</returns>
    public static ReloadStepResult Run(UserStore users)
    {
        try
        {
            var (added, removed, changed, count) = users.Reload();
            return ReloadStepResult.Done($"{users.FilePath} reloaded: {count} users ({added} added, {removed} removed, {changed} changed)");
        }
        catch (UsersFileException exception)
        {
            // One line naming the file and the line, never password material.
            return ReloadStepResult.Failure($"not reloaded, the {users.Count} users loaded before are kept: {exception.Message}");
        }
    }
}
