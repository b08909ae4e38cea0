using System.Security.Cryptography;

namespace Socks.Core.Users.Verification;

/// <summary>
/// Checks RFC 1929 passwords against stored <see cref="PasswordHash"/> records without running
/// PBKDF2 on every handshake: one derivation per (record, password), then one HMAC. Any user store
/// can use it; <see cref="UserStore"/> does. One instance per store.
/// </summary>
/// <remarks>
/// <para>
/// Every comparison is fixed-time. After one successful derivation (or when the record was made by
/// <see cref="CreateHash"/>, the clear password at hand) the record keeps an HMAC-SHA256 of the
/// password under a key drawn once per process, and later checks of it, right or wrong password,
/// cost one HMAC. A check for an unknown user (a null record) costs the same and is always false,
/// so timing does not tell which names exist. Derivations still needed run at most
/// <see cref="MaxConcurrentDerivations"/> at a time (half the cores by default); recent failures are
/// remembered in a 1024-slot cache, and checks that waited for a derivation slot look at both
/// caches again, so a burst of identical logins costs one derivation. See docs/users-file.md,
/// "Why handshakes don't run PBKDF2 each time".
/// </para>
/// <para>Safe for concurrent use; <see cref="VerifyAsync"/> takes no lock.</para>
/// </remarks>
public sealed class PasswordVerifier
{
    /// <summary>The longest password checked (RFC 1929 §2: one length byte).</summary>
    public const int MaxPasswordLength = Protocol.Socks5Constants.MaxFieldLength;

    /// <summary>How many recent failures are remembered.</summary>
    internal const int FailureCacheSlots = 1024;

    private const int MacSize = HMACSHA256.HashSizeInBytes;

    // One key for the process: a verifier cached on a record stays valid for any instance.
    private static readonly byte[] MacKey = RandomNumberGenerator.GetBytes(MacSize);

    private readonly byte[] _unknownUserVerifier = RandomNumberGenerator.GetBytes(MacSize);
    private readonly FailureCache _failures = new(FailureCacheSlots);
    private readonly SemaphoreSlim _derivationGate;
    private long _derivationCount;

    /// <summary>
    /// Creates a verifier that hashes new passwords with <see cref="PasswordHash.DefaultIterations"/>
    /// and lets half the cores (at least one) derive at once.
    /// </summary>
    public PasswordVerifier()
        : this(PasswordHash.DefaultIterations, DefaultMaxConcurrentDerivations)
    {
    }

    /// <summary>Creates a verifier with non-default costs (tests: cheap derivations keep them fast).</summary>
    internal PasswordVerifier(int iterations, int maxConcurrentDerivations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, PasswordHash.MaxIterations);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentDerivations, 1);
        Iterations = iterations;
        MaxConcurrentDerivations = maxConcurrentDerivations;
        _derivationGate = new SemaphoreSlim(maxConcurrentDerivations, maxConcurrentDerivations);
    }

    /// <summary>Half the cores, at least one: failed logins cannot take more than that, whatever their rate.</summary>
    internal static int DefaultMaxConcurrentDerivations => Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>The PBKDF2 iteration count of hashes made by <see cref="CreateHash"/>.</summary>
    public int Iterations { get; }

    /// <summary>How many derivations <see cref="VerifyAsync"/> runs at once at most.</summary>
    public int MaxConcurrentDerivations { get; }

    /// <summary>How many PBKDF2 derivations this verifier has run (tests check the caches with it).</summary>
    internal long DerivationCount => Interlocked.Read(ref _derivationCount);

    /// <summary>
    /// Hashes a new password (one PBKDF2 derivation, on the calling thread, not limited by the
    /// derivation slots) with a fresh salt. The clear password is known now, so the record's fast
    /// verifier is set at once: its first check already skips PBKDF2.
    /// </summary>
    /// <param name="password">The password, 1..255 bytes.</param>
    /// <returns>A new record.</returns>
    /// <exception cref="ArgumentException">The password is empty or longer than 255 bytes.</exception>
    public PasswordHash CreateHash(ReadOnlySpan<byte> password)
    {
        if (!IsValidLength(password.Length))
        {
            throw new ArgumentException($"Must be 1..{MaxPasswordLength} bytes, was {password.Length}.", nameof(password));
        }

        Interlocked.Increment(ref _derivationCount);
        var hash = PasswordHash.Create(password, Iterations);
        hash.SetVerifier(HMACSHA256.HashData(MacKey, password));
        return hash;
    }

    /// <summary>
    /// Checks a password. Usually one HMAC and a fixed-time comparison; PBKDF2 runs only for a record
    /// whose password has not been verified yet and a password that is not among the recent failures,
    /// and then waits for a derivation slot.
    /// </summary>
    /// <param name="stored">The user's record, or null when no user has the name: then the check costs
    /// what a cached check costs and is false.</param>
    /// <param name="password">The PASSWD bytes; a password of the wrong length (not 1..255) is false.</param>
    /// <param name="cancellationToken">Cancels the check, also while it waits for a derivation slot.</param>
    /// <returns>True when the password is the record's.</returns>
    public ValueTask<bool> VerifyAsync(PasswordHash? stored, ReadOnlyMemory<byte> password, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        if (!IsValidLength(password.Length))
        {
            return ValueTask.FromResult(false);
        }

        if (stored is null)
        {
            // Same work as for a record whose password is cached (one HMAC, one fixed-time comparison
            // against a random verifier), so the answer does not tell whether the name exists.
            _ = MatchesVerifier(password.Span, _unknownUserVerifier);
            return ValueTask.FromResult(false);
        }

        if (stored.Verifier is { } verifier)
        {
            return ValueTask.FromResult(MatchesVerifier(password.Span, verifier));
        }

        var failureMac = FailureMac(stored, password.Span);
        if (_failures.Contains(failureMac))
        {
            return ValueTask.FromResult(false);
        }

        return VerifyByDerivationAsync(stored, password, failureMac, cancellationToken);
    }

    private async ValueTask<bool> VerifyByDerivationAsync(PasswordHash stored, ReadOnlyMemory<byte> password, byte[] failureMac, CancellationToken cancellationToken)
    {
        await _derivationGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // While this check waited, another may have verified the record or failed with the same
            // password; the caches are filled before the gate is released, so then no derivation runs.
            if (stored.Verifier is { } verifier)
            {
                return MatchesVerifier(password.Span, verifier);
            }

            if (_failures.Contains(failureMac))
            {
                return false;
            }

            Interlocked.Increment(ref _derivationCount);
            if (stored.Matches(password.Span))
            {
                stored.SetVerifier(HMACSHA256.HashData(MacKey, password.Span));
                return true;
            }

            _failures.Add(failureMac);
            return false;
        }
        finally
        {
            _derivationGate.Release();
        }
    }

    private static bool MatchesVerifier(ReadOnlySpan<byte> password, byte[] verifier)
    {
        Span<byte> mac = stackalloc byte[MacSize];
        HMACSHA256.HashData(MacKey, password, mac);
        return CryptographicOperations.FixedTimeEquals(mac, verifier);
    }

    private static byte[] FailureMac(PasswordHash stored, ReadOnlySpan<byte> password)
    {
        Span<byte> input = stackalloc byte[PasswordHash.NonceSize + MaxPasswordLength];
        stored.Nonce.CopyTo(input);
        password.CopyTo(input[PasswordHash.NonceSize..]);
        var mac = HMACSHA256.HashData(MacKey, input[..(PasswordHash.NonceSize + password.Length)]);
        CryptographicOperations.ZeroMemory(input);
        return mac;
    }

    private static bool IsValidLength(int length) => length is >= 1 and <= MaxPasswordLength;
}
