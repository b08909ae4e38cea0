using Socks.Core.Users.Verification;

namespace Socks.Core.Users;

/// <summary>
/// Password hashing settings of a <see cref="UserStore"/>. The defaults are what socks5d uses; lower the cost only
/// where the users file cannot leak (tests, throw-away stores), like ASP.NET Identity's iteration count.
/// </summary>
public sealed record UserStoreOptions
{
    /// <summary>The defaults: <see cref="PasswordHash.DefaultIterations"/> iterations, half the cores deriving at once.</summary>
    public static readonly UserStoreOptions Default = new();

    /// <summary>PBKDF2-HMAC-SHA256 iterations for users added through this store (users read from a file keep theirs). At least 1.</summary>
    public int Iterations { get; init; } = PasswordHash.DefaultIterations;

    /// <summary>
    /// How many PBKDF2 checks may run at once during handshakes. Half the cores: failed logins
    /// cannot take more than that, whatever their rate.
    /// </summary>
    /// <remarks>At least 1.</remarks>
    public int MaxConcurrentDerivations { get; init; } = PasswordVerifier.DefaultMaxConcurrentDerivations;

    /// <summary>
    /// Syncs the users file's directory after a rename: null on success, otherwise why it failed.
    /// Tests replace it to make the directory fsync fail deterministically.
    /// </summary>
    internal Func<string, string?> SyncDirectory { get; init; } = static directory => DirectorySync.TrySync(directory, out var error) ? null : error;
}
