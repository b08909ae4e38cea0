using Socks.Core.Users.Verification;

namespace Socks.Core.Users;

/// <summary>
/// Password hashing and login throttling settings of a <see cref="UserStore"/>. The defaults are what socks5d uses; lower the cost only
/// where the users file cannot leak (tests, throw-away stores), like ASP.NET Identity's iteration count.
/// </summary>
public sealed record UserStoreOptions
{
    /// <summary>The default of <see cref="FailureLimit"/>.</summary>
    public const int DefaultFailureLimit = 5;

    /// <summary>
    /// The defaults: <see cref="PasswordHash.DefaultIterations"/> iterations, half the cores deriving at once, one
    /// user at a time, 4 waiting per user and 64 in all, 5 failures a minute blocking an address for 5 minutes.
    /// </summary>
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
    /// How many distinct passwords of one user may wait for a PBKDF2 check behind the one being checked for that
    /// user (checks of one user run one at a time; attempts with a password already waiting join it). An
    /// attempt beyond that fails at once, without a derivation. Default 4; 0 allows none to wait.
    /// </summary>
    public int MaxQueuedDerivationsPerUser { get; init; } = PasswordVerifier.DefaultMaxQueuedPerUser;

    /// <summary>
    /// How many PBKDF2 checks may be pending (waiting or running) over all users. An attempt beyond that fails
    /// at once, without a derivation. Default 64; at least 1.
    /// </summary>
    public int MaxQueuedDerivations { get; init; } = PasswordVerifier.DefaultMaxQueued;

    /// <summary>
    /// Failed logins from one client address (IPv4 address, IPv6 /64) within <see cref="FailureWindow"/> after
    /// which that address is refused for <see cref="FailureBackoff"/>, without any password check. Default 5;
    /// 0 turns the throttle off.
    /// </summary>
    public int FailureLimit { get; init; } = DefaultFailureLimit;

    /// <summary>The window in which <see cref="FailureLimit"/> failures block an address. Default 1 minute.</summary>
    public TimeSpan FailureWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a blocked address is refused. Default 5 minutes.</summary>
    public TimeSpan FailureBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Syncs the users file's directory after a rename: null on success, otherwise why it failed.
    /// Tests replace it to make the directory fsync fail deterministically.
    /// </summary>
    internal Func<string, string?> SyncDirectory { get; init; } = static directory => DirectorySync.TrySync(directory, out var error) ? null : error;
}
