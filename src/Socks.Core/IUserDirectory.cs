using Socks.Core.Users;

namespace Socks.Core;

/// <summary>
/// The administration of the users a SOCKS server authenticates (what MCP LIST_USERS, ADD_USER and
/// REMOVE_USER work on): list, add, remove, the limit, and a notification when a user is removed.
/// Authentication itself is <see cref="IUserStore"/>; the default <see cref="UserStore"/> is both.
/// </summary>
/// <remarks>
/// <para>Implementations must be safe for concurrent use. The operations are asynchronous because a
/// change may be slow (a PBKDF2 derivation, a file write and fsync, a network round trip): an
/// implementation must not block the caller's thread for long, so that a caller on the thread pool
/// (an MCP connection) does not starve the SOCKS sessions.</para>
/// <para>Names and passwords are 1..255 bytes (RFC 1929 §2), compared byte for byte.</para>
/// </remarks>
public interface IUserDirectory
{
    /// <summary>The most users the directory holds; adding beyond it answers <see cref="UserChangeResult.UserLimit"/>.</summary>
    int MaxUsers { get; }

    /// <summary>
    /// Raised after a user was removed (and the removal saved, where the directory saves), outside any
    /// lock that authentication or other changes wait for. Each implementation documents the thread it
    /// is raised on. The SOCKS server uses it to close that user's open sessions
    /// (<see cref="SocksServerOptions.UserDirectory"/>). Handlers must be quick and must not throw:
    /// the user is already gone when they run.
    /// </summary>
    event EventHandler<UserRemovedEventArgs>? UserRemoved;

    /// <summary>The names of all users, in the order to report them. A snapshot: later changes do not affect it.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>Copies of the names; the caller may keep or change them.</returns>
    ValueTask<IReadOnlyList<byte[]>> ListUsersAsync(CancellationToken cancellationToken);

    /// <summary>Adds a user; only a salted hash of the password is kept.</summary>
    /// <param name="username">The name, 1..255 bytes. Read only until the returned task completes.</param>
    /// <param name="password">The password, 1..255 bytes. Read only until the returned task completes.</param>
    /// <param name="cancellationToken">
    /// Cancels waiting for the change to start. Once under way a change is finished, never left half made.
    /// </param>
    /// <returns>
    /// <see cref="UserChangeResult.Ok"/> when added; <see cref="UserChangeResult.UserExists"/> or
    /// <see cref="UserChangeResult.UserLimit"/> when nothing changed.
    /// </returns>
    /// <exception cref="ArgumentException">The username or password is empty or longer than 255 bytes.</exception>
    /// <exception cref="IOException">The change could not be saved; nothing changed.</exception>
    ValueTask<UserChangeResult> AddAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken);

    /// <summary>Removes a user and raises <see cref="UserRemoved"/>.</summary>
    /// <param name="username">The name, compared byte for byte. Read only until the returned task completes.</param>
    /// <param name="cancellationToken">
    /// Cancels waiting for the change to start. Once under way a change is finished, never left half made.
    /// </param>
    /// <returns><see cref="UserChangeResult.Ok"/> when removed; <see cref="UserChangeResult.UserNotFound"/> when no user has that name.</returns>
    /// <exception cref="IOException">The change could not be saved; nothing changed.</exception>
    ValueTask<UserChangeResult> RemoveAsync(ReadOnlyMemory<byte> username, CancellationToken cancellationToken);
}
