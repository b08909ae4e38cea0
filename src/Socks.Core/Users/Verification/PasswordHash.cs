using System.Security.Cryptography;

namespace Socks.Core.Users.Verification;

/// <summary>
/// A stored password: PBKDF2-HMAC-SHA256 with a per-user random salt (docs/users-file.md). The
/// iteration count is kept per record so the default can be raised later without invalidating
/// existing records. Check passwords against it with <see cref="PasswordVerifier"/>.
/// </summary>
/// <remarks>
/// An instance also carries what <see cref="PasswordVerifier"/> caches about it (the fast verifier
/// and the nonce of its failure-cache entries). Create one instance per user record and never reuse
/// it for another record: removing or re-adding a user must drop everything cached for the old one.
/// </remarks>
internal sealed class PasswordHash
{
    /// <summary>OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Largest iteration count accepted (bounds the cost of one check).</summary>
    public const int MaxIterations = 10_000_000;

    /// <summary>The salt length of new hashes, in bytes.</summary>
    public const int SaltSize = 16;

    /// <summary>The shortest salt accepted, in bytes.</summary>
    public const int MinSaltSize = 16;

    /// <summary>The longest salt accepted, in bytes.</summary>
    public const int MaxSaltSize = 64;

    /// <summary>The length of the derived hash, in bytes.</summary>
    public const int HashSize = 32;

    /// <summary>The length of <see cref="Nonce"/>, in bytes.</summary>
    internal const int NonceSize = 16;

    private readonly byte[] _salt;
    private readonly byte[] _hash;
    private byte[]? _verifier;
    private DerivationQueue? _derivations;

    /// <summary>Creates a record from stored values (for example a line of a users file).</summary>
    /// <param name="iterations">The PBKDF2 iteration count, 1..<see cref="MaxIterations"/>.</param>
    /// <param name="salt">The salt, <see cref="MinSaltSize"/>..<see cref="MaxSaltSize"/> bytes; copied.</param>
    /// <param name="hash">The derived hash, <see cref="HashSize"/> bytes; copied.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public PasswordHash(int iterations, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> hash)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        ArgumentOutOfRangeException.ThrowIfLessThan(salt.Length, MinSaltSize, nameof(salt));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(salt.Length, MaxSaltSize, nameof(salt));
        ArgumentOutOfRangeException.ThrowIfNotEqual(hash.Length, HashSize, nameof(hash));
        Iterations = iterations;
        _salt = salt.ToArray();
        _hash = hash.ToArray();
        Nonce = RandomNumberGenerator.GetBytes(NonceSize);
    }

    /// <summary>The PBKDF2 iteration count.</summary>
    public int Iterations { get; }

    /// <summary>The salt.</summary>
    public ReadOnlyMemory<byte> Salt => _salt;

    /// <summary>The derived hash: <c>PBKDF2-HMAC-SHA256(password, salt, iterations, 32)</c>.</summary>
    public ReadOnlyMemory<byte> Hash => _hash;

    /// <summary>Random per record: mixes into failure-cache keys so they die with the record.</summary>
    internal byte[] Nonce { get; }

    /// <summary>
    /// HMAC-SHA256 (process-random key) of the password, set after one successful PBKDF2 check or
    /// when the clear password was known at creation. Null until then.
    /// </summary>
    internal byte[]? Verifier => Volatile.Read(ref _verifier);

    internal void SetVerifier(byte[] verifier) => Volatile.Write(ref _verifier, verifier);

    /// <summary>The PBKDF2 checks of this record waiting or running, made on first need.</summary>
    internal DerivationQueue Derivations =>
        Volatile.Read(ref _derivations) ?? Interlocked.CompareExchange(ref _derivations, new DerivationQueue(), null) ?? _derivations!;

    /// <summary>Whether <paramref name="other"/> holds the same iterations, salt and hash (the same stored password).</summary>
    internal bool SameAs(PasswordHash other) =>
        Iterations == other.Iterations && _salt.AsSpan().SequenceEqual(other._salt) && _hash.AsSpan().SequenceEqual(other._hash);

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt.</summary>
    internal static PasswordHash Create(ReadOnlySpan<byte> password, int iterations)
    {
        Span<byte> salt = stackalloc byte[SaltSize];
        RandomNumberGenerator.Fill(salt);
        Span<byte> hash = stackalloc byte[HashSize];
        Rfc2898DeriveBytes.Pbkdf2(password, salt, hash, iterations, HashAlgorithmName.SHA256);
        return new PasswordHash(iterations, salt, hash);
    }

    /// <summary>Runs one key derivation and compares the result in fixed time.</summary>
    internal bool Matches(ReadOnlySpan<byte> password)
    {
        Span<byte> actual = stackalloc byte[HashSize];
        Rfc2898DeriveBytes.Pbkdf2(password, _salt, actual, Iterations, HashAlgorithmName.SHA256);
        return CryptographicOperations.FixedTimeEquals(actual, _hash);
    }
}
