namespace Socks.Core.Users;

/// <summary>
/// The outcome of <see cref="IUserDirectory.AddAsync"/> or <see cref="IUserDirectory.RemoveAsync"/> (and
/// of <see cref="UserStore.Add(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> or <see cref="UserStore.Remove(ReadOnlySpan{byte})"/>). Each value maps onto one MCP status
/// (memo §5); failures that are not about the user set (a users file that cannot be written) are
/// exceptions instead.
/// </summary>
public enum UserChangeResult
{
    /// <summary>
    /// The change was made (and saved, when the store has a users file; a save whose durability could not
    /// be confirmed is still made, and logged as a warning).
    /// </summary>
    Ok,

    /// <summary>A user with that name already exists; nothing changed (MCP USER_EXISTS).</summary>
    UserExists,

    /// <summary>No user has that name; nothing changed (MCP USER_NOT_FOUND).</summary>
    UserNotFound,

    /// <summary>The store already holds <see cref="IUserDirectory.MaxUsers"/> users; nothing changed (MCP USER_LIMIT).</summary>
    UserLimit,
}
