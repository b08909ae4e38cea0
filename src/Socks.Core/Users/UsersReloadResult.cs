namespace Socks.Core.Users;

/// <summary>What <see cref="UserStore.Reload"/> changed.</summary>
/// <param name="Added">Users in the file that the store did not have.</param>
/// <param name="Removed">Users of the file that are no longer in it (their sessions were ended).</param>
/// <param name="Changed">Users whose password changed in the file (their sessions were ended).</param>
/// <param name="Count">Users in the store now, command-line users included.</param>
public readonly record struct UsersReloadResult(int Added, int Removed, int Changed, int Count);
