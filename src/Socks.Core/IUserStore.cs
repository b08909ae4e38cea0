namespace Socks.Core;

/// <summary>
/// The credentials a SOCKS server authenticates against (RFC 1929). Implementations must be safe
/// for concurrent use: authentication runs on many sessions at once while users change.
/// </summary>
/// <remarks>
/// Authentication only. Listing, adding and removing users is <see cref="IUserDirectory"/>; a store
/// may implement both (as <see cref="Users.UserStore"/> does). A store that keeps PBKDF2 hashes can
/// check them with <see cref="Users.Verification.PasswordVerifier"/>, which gives every property
/// docs/users-file.md promises (constant-time checks, one derivation per password).
/// </remarks>
public interface IUserStore
{
    /// <summary>
    /// True when at least one user exists. The server then requires method X'02'
    /// (username/password) from every client.
    /// </summary>
    bool HasUsers { get; }

    /// <summary>
    /// Checks a username and password, both compared byte for byte, without leaking through timing
    /// how much of either matched.
    /// </summary>
    /// <param name="username">The UNAME bytes of the RFC 1929 request (1..255 bytes).</param>
    /// <param name="password">The PASSWD bytes of the RFC 1929 request (1..255 bytes).</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>True when the user exists and the password is theirs.</returns>
    ValueTask<bool> ValidateAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken);

    /// <summary>
    /// Checks the credentials of a session's RFC 1929 request: what the server calls. A store that
    /// needs to know who is asking (to throttle failures per client address, say) overrides it; the
    /// default ignores the session and calls <see cref="ValidateAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, CancellationToken)"/>.
    /// </summary>
    /// <param name="session">The session in its handshake: client, method (X'02'), clocks.</param>
    /// <param name="username">The UNAME bytes of the RFC 1929 request (1..255 bytes).</param>
    /// <param name="password">The PASSWD bytes of the RFC 1929 request (1..255 bytes).</param>
    /// <param name="cancellationToken">Cancelled when the session is aborted (handshake timeout, shutdown).</param>
    /// <returns>True when the user exists and the password is theirs.</returns>
    ValueTask<bool> ValidateAsync(SessionContext session, ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken) =>
        ValidateAsync(username, password, cancellationToken);
}
