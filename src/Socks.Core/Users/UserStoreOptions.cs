using Socks.Core.Users.Verification;

namespace Socks.Core.Users;

/// <summary>Hashing and saving settings; only tests change them (cheap derivations keep tests fast).</summary>
internal sealed record UserStoreOptions
{
    public static readonly UserStoreOptions Default = new();

    /// <summary>PBKDF2 iterations for users added through this store.</summary>
    public int Iterations { get; init; } = PasswordHash.DefaultIterations;

    /// <summary>
    /// How many PBKDF2 checks may run at once during handshakes. Half the cores: failed logins
    /// cannot take more than that, whatever their rate.
    /// </summary>
    public int MaxConcurrentDerivations { get; init; } = PasswordVerifier.DefaultMaxConcurrentDerivations;

    /// <summary>
    /// Syncs the users file's directory after a rename: null on success, otherwise why it failed.
    /// Tests replace it to make the directory fsync fail deterministically.
    /// </summary>
    public Func<string, string?> SyncDirectory { get; init; } = static directory => DirectorySync.TrySync(directory, out var error) ? null : error;
}
