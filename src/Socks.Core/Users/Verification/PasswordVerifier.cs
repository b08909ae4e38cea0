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
/// so timing does not tell which names exist. Derivations still needed run one at a time per record
/// and at most <see cref="MaxConcurrentDerivations"/> at a time in all (half the cores by default),
/// from a bounded queue (beyond it a check fails at once); attempts with a password already pending
/// for the record wait for that one answer; a derivation whose every waiter was cancelled (client
/// gone) before it started never runs. Recent failures are remembered in a 1024-slot cache, and
/// checks that waited for a slot look at both caches again. See docs/users-file.md,
/// "Why handshakes don't run PBKDF2 each time".
/// </para>
/// <para>Safe for concurrent use; <see cref="VerifyAsync"/> takes no lock.</para>
/// </remarks>
internal sealed class PasswordVerifier
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
    private long _rejectedCount;
    private int _queued;
    private int _waiting;
    private int _running;
    private int _peakRunning;

    /// <summary>
    /// Creates a verifier that hashes new passwords with <see cref="PasswordHash.DefaultIterations"/>
    /// and lets half the cores (at least one) derive at once.
    /// </summary>
    public PasswordVerifier()
        : this(PasswordHash.DefaultIterations, DefaultMaxConcurrentDerivations, DefaultMaxQueuedPerUser, DefaultMaxQueued)
    {
    }

    /// <summary>Creates a verifier with non-default costs (tests: cheap derivations keep them fast).</summary>
    internal PasswordVerifier(int iterations, int maxConcurrentDerivations, int maxQueuedPerUser = DefaultMaxQueuedPerUser, int maxQueued = DefaultMaxQueued)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, PasswordHash.MaxIterations);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentDerivations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueuedPerUser, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueued, 1);
        Iterations = iterations;
        MaxConcurrentDerivations = maxConcurrentDerivations;
        MaxQueuedPerUser = maxQueuedPerUser;
        MaxQueued = maxQueued;
        _derivationGate = new SemaphoreSlim(maxConcurrentDerivations, maxConcurrentDerivations);
    }

    /// <summary>Half the cores, at least one: failed logins cannot take more than that, whatever their rate.</summary>
    internal static int DefaultMaxConcurrentDerivations => Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Distinct passwords of one user that may wait behind the one being derived for that user.</summary>
    internal const int DefaultMaxQueuedPerUser = 4;

    /// <summary>Derivations that may be pending (waiting or running) over all users.</summary>
    internal const int DefaultMaxQueued = 64;

    /// <summary>The PBKDF2 iteration count of hashes made by <see cref="CreateHash"/>.</summary>
    public int Iterations { get; }

    /// <summary>How many derivations <see cref="VerifyAsync"/> runs at once at most.</summary>
    public int MaxConcurrentDerivations { get; }

    /// <summary>Distinct passwords of one user that may wait behind the one derived for that user; more fail at once.</summary>
    internal int MaxQueuedPerUser { get; }

    /// <summary>Derivations that may be pending (waiting or running) over all users; more fail at once.</summary>
    internal int MaxQueued { get; }

    /// <summary>How many PBKDF2 derivations this verifier has run (tests check the caches with it).</summary>
    internal long DerivationCount => Interlocked.Read(ref _derivationCount);

    /// <summary>How many checks failed without a derivation because the queue of their user, or the total, was full.</summary>
    internal long RejectedCount => Interlocked.Read(ref _rejectedCount);

    /// <summary>How many derivations are pending (waiting for a slot or running) now.</summary>
    internal int QueuedCount => Volatile.Read(ref _queued);

    /// <summary>How many checks wait for a derivation's answer now (attempts joining one pending check each count).</summary>
    internal int WaitingCount => Volatile.Read(ref _waiting);

    /// <summary>The most handshake derivations that ran at the same moment (not counting <see cref="CreateHash"/>).</summary>
    internal int PeakConcurrentDerivations => Volatile.Read(ref _peakRunning);

    /// <summary>Called in the derivation slot right before a handshake derivation (tests hold derivations open with it).</summary>
    internal Action<PasswordHash>? DerivationStarting { get; set; }

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
        var queue = stored.Derivations;
        var key = Convert.ToHexString(failureMac);
        PendingCheck? pending;
        var created = false;
        lock (queue.Lock)
        {
            // An attempt with a password already pending for this record waits for that answer: a burst
            // of identical logins costs one derivation and one queue place.
            if (!queue.Pending.TryGetValue(key, out pending))
            {
                // Running or waiting, per record and in total; beyond that the attempt fails at once
                // (RFC 1929 status X'01') without a derivation.
                if (queue.Pending.Count > MaxQueuedPerUser || !TryReserveQueuePlace())
                {
                    Interlocked.Increment(ref _rejectedCount);
                    return false;
                }

                pending = new PendingCheck(key, password.ToArray());
                queue.Pending.Add(key, pending);
                created = true;
            }

            pending.Waiters++;
        }

        Interlocked.Increment(ref _waiting);

        if (created)
        {
            // Always on a thread-pool thread, never on the caller's: a handshake continues on the socket engine's
            // own thread (socks5d runs socket completions inline), where a derivation would stall every socket.
            _ = Task.Run(() => DeriveAsync(stored, queue, pending, failureMac), CancellationToken.None);
        }

        try
        {
            return await pending.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Leave(queue, pending);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>An attempt stops waiting (its client is gone): the last one out drops a derivation not yet started.</summary>
    private static void Leave(DerivationQueue queue, PendingCheck pending)
    {
        lock (queue.Lock)
        {
            if (--pending.Waiters > 0 || pending.Started)
            {
                return;
            }

            // Nobody wants this answer any more: a new attempt with the same password starts afresh.
            if (queue.Pending.TryGetValue(pending.Key, out var current) && ReferenceEquals(current, pending))
            {
                queue.Pending.Remove(pending.Key);
            }
        }

        pending.Abandoned.Cancel();
    }

    private async Task DeriveAsync(PasswordHash stored, DerivationQueue queue, PendingCheck pending, byte[] failureMac)
    {
        var abandoned = pending.Abandoned.Token;
        try
        {
            // First the record's own slot, then a global one: one user's guesses wait behind each other and
            // hold at most one global slot, which is handed out first come first served (SemaphoreSlim
            // queues async waiters in order), so another user's first login waits for one derivation per
            // user ahead of it, not for every guess.
            await queue.Gate.WaitAsync(abandoned).ConfigureAwait(false);
            try
            {
                await _derivationGate.WaitAsync(abandoned).ConfigureAwait(false);
                try
                {
                    lock (queue.Lock)
                    {
                        if (pending.Waiters == 0)
                        {
                            pending.Result.TrySetCanceled(abandoned);
                            return;
                        }

                        pending.Started = true;
                    }

                    pending.Result.TrySetResult(Derive(stored, pending.Password, failureMac));
                }
                finally
                {
                    _derivationGate.Release();
                }
            }
            finally
            {
                queue.Gate.Release();
            }
        }
        catch (OperationCanceledException) when (abandoned.IsCancellationRequested)
        {
            pending.Result.TrySetCanceled(abandoned);
        }
        catch (Exception exception)
        {
            // A bug of ours: the waiters see it rather than waiting for ever.
            pending.Result.TrySetException(exception);
        }
        finally
        {
            lock (queue.Lock)
            {
                if (queue.Pending.TryGetValue(pending.Key, out var current) && ReferenceEquals(current, pending))
                {
                    queue.Pending.Remove(pending.Key);
                }
            }

            Interlocked.Decrement(ref _queued);
            // The token source is not disposed: a late Leave may still cancel it, which is then harmless.
            CryptographicOperations.ZeroMemory(pending.Password);
        }
    }

    private bool Derive(PasswordHash stored, byte[] password, byte[] failureMac)
    {
        // While this check waited, another (of a different password for the record, or the same password
        // before this one was queued) may have verified the record or failed with this password; the
        // caches are filled before the slots are released, so then no derivation runs.
        if (stored.Verifier is { } verifier)
        {
            return MatchesVerifier(password, verifier);
        }

        if (_failures.Contains(failureMac))
        {
            return false;
        }

        var running = Interlocked.Increment(ref _running);
        try
        {
            UpdatePeak(running);
            Interlocked.Increment(ref _derivationCount);
            DerivationStarting?.Invoke(stored);
            if (stored.Matches(password))
            {
                stored.SetVerifier(HMACSHA256.HashData(MacKey, password));
                return true;
            }

            _failures.Add(failureMac);
            return false;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private void UpdatePeak(int running)
    {
        var peak = Volatile.Read(ref _peakRunning);
        while (running > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakRunning, running, peak);
            if (seen == peak)
            {
                return;
            }

            peak = seen;
        }
    }

    private bool TryReserveQueuePlace()
    {
        if (Interlocked.Increment(ref _queued) <= MaxQueued)
        {
            return true;
        }

        Interlocked.Decrement(ref _queued);
        return false;
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
