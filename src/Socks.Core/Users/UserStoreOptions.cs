namespace Socks.Core.Users;

/// <summary>Hashing settings; only tests change them (cheap derivations keep tests fast).</summary>
internal sealed record UserStoreOptions
{
    public static readonly UserStoreOptions Default = new();

    /// <summary>PBKDF2 iterations for users added through this store.</summary>
    public int Iterations { get; init; } = PasswordHash.DefaultIterations;

    /// <summary>
    /// How many PBKDF2 checks may run at once during handshakes. Half the cores: failed logins
    /// cannot take more than that, whatever their rate.
    /// </summary>
    public int MaxConcurrentDerivations { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);
}
