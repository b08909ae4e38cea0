using System.Security.Cryptography;

namespace Socks.Core.Users;

/// <summary>
/// A stored password: PBKDF2-HMAC-SHA256 with a per-user random salt. The iteration count is kept
/// per record so the default can be raised later without invalidating existing records.
/// </summary>
internal sealed class PasswordHash
{
    /// <summary>OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Largest iteration count accepted from a users file (bounds the cost of one check).</summary>
    public const int MaxIterations = 10_000_000;

    public const int SaltSize = 16;
    public const int MinSaltSize = 16;
    public const int MaxSaltSize = 64;
    public const int HashSize = 32;

    public PasswordHash(int iterations, byte[] salt, byte[] hash)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        ArgumentOutOfRangeException.ThrowIfLessThan(salt.Length, MinSaltSize, nameof(salt));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(salt.Length, MaxSaltSize, nameof(salt));
        ArgumentOutOfRangeException.ThrowIfNotEqual(hash.Length, HashSize, nameof(hash));
        Iterations = iterations;
        Salt = salt;
        Hash = hash;
    }

    public int Iterations { get; }

    public byte[] Salt { get; }

    public byte[] Hash { get; }

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt.</summary>
    public static PasswordHash Create(ReadOnlySpan<byte> password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashSize);
        return new PasswordHash(iterations, salt, hash);
    }

    /// <summary>Runs one key derivation and compares the result in fixed time.</summary>
    public bool Matches(ReadOnlySpan<byte> password)
    {
        Span<byte> actual = stackalloc byte[HashSize];
        Rfc2898DeriveBytes.Pbkdf2(password, Salt, actual, Iterations, HashAlgorithmName.SHA256);
        return CryptographicOperations.FixedTimeEquals(actual, Hash);
    }
}
