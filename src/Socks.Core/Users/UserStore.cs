using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Security.Cryptography;

namespace Socks.Core.Users;

/// <summary>
/// The default <see cref="IUserStore"/>: up to <see cref="MaxUsers"/> RFC 1929 users, names and
/// passwords compared byte for byte, passwords kept only as salted PBKDF2-HMAC-SHA256 hashes.
/// </summary>
/// <remarks>
/// <para>
/// Authentication reads an immutable snapshot of the users that changes replace atomically, so
/// <see cref="ValidateAsync"/> never waits for <see cref="Add"/> or <see cref="Remove"/>; changes are
/// serialized among themselves. A change takes effect for the next handshake.
/// </para>
/// <para>
/// A handshake does not run PBKDF2 every time: after one successful check (or when the user was
/// added here with the clear password) the store keeps an HMAC of the password under a
/// process-random key and later checks cost one HMAC and a fixed-time comparison. Key derivations
/// that are still needed run at most a few at a time. See docs/users-file.md.
/// </para>
/// </remarks>
public sealed class UserStore : IUserStore
{
    /// <summary>The largest user limit: MCP LIST_USERS counts users in one byte.</summary>
    public const int MaxUserLimit = 255;

    /// <summary>The user limit when none is given.</summary>
    public const int DefaultMaxUsers = 10;

    /// <summary>The longest username or password (RFC 1929 §2: one length byte).</summary>
    public const int MaxCredentialLength = 255;

    private const int FailureCacheSlots = 1024;
    private const int MacSize = HMACSHA256.HashSizeInBytes;

    private readonly Lock _changeLock = new();
    private readonly SemaphoreSlim _derivationGate;
    private readonly byte[] _macKey = RandomNumberGenerator.GetBytes(MacSize);
    private readonly byte[] _unknownUserVerifier = RandomNumberGenerator.GetBytes(MacSize);
    private readonly FailureCache _failures = new(FailureCacheSlots);
    private readonly int _iterations;
    private readonly UsersFile? _file;
    private Snapshot _snapshot;
    private long _derivationCount;

    private UserStore(int maxUsers, UserStoreOptions options, UsersFile? file, ImmutableArray<UserRecord> users)
    {
        MaxUsers = maxUsers;
        _iterations = options.Iterations;
        _derivationGate = new SemaphoreSlim(options.MaxConcurrentDerivations, options.MaxConcurrentDerivations);
        _file = file;
        _snapshot = users.IsEmpty ? Snapshot.Empty : Snapshot.Create(users);
    }

    /// <summary>
    /// Raised after <see cref="Remove"/> removed a user (and saved the change), on the thread that
    /// called <see cref="Remove"/>, after the store's own lock was released. The SOCKS server uses it to
    /// end that user's sessions. Handlers must be quick and must not throw: an exception reaches the
    /// caller of <see cref="Remove"/> although the user is already gone. Being raised outside the lock,
    /// the event can arrive after another thread has already added the same name again.
    /// </summary>
    public event EventHandler<UserRemovedEventArgs>? UserRemoved;

    /// <summary>The most users this store accepts (1..<see cref="MaxUserLimit"/>).</summary>
    public int MaxUsers { get; }

    /// <summary>The full path of the users file, or null for an in-memory store.</summary>
    public string? FilePath => _file?.Path;

    /// <summary>How many users exist now.</summary>
    public int Count => Volatile.Read(ref _snapshot).Users.Length;

    /// <inheritdoc />
    public bool HasUsers => Count > 0;

    /// <summary>How many PBKDF2 derivations this store has run (tests check the cache with it).</summary>
    internal long DerivationCount => Interlocked.Read(ref _derivationCount);

    /// <summary>Creates a store that lives only in memory.</summary>
    /// <param name="maxUsers">The user limit, 1..<see cref="MaxUserLimit"/>.</param>
    /// <returns>An empty store.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxUsers"/> is outside 1..255.</exception>
    public static UserStore CreateInMemory(int maxUsers = DefaultMaxUsers) => CreateInMemory(maxUsers, UserStoreOptions.Default);

    /// <summary>Creates an in-memory store with non-default hashing settings (tests).</summary>
    internal static UserStore CreateInMemory(int maxUsers, UserStoreOptions options)
    {
        ThrowIfBadLimit(maxUsers);
        return new(maxUsers, options, file: null, users: []);
    }

    /// <summary>
    /// Creates a store backed by a users file (format: docs/users-file.md) and loads its users.
    /// A missing file means no users yet; it is created, mode 0600, by the first change. Every
    /// change rewrites the whole file atomically before it returns.
    /// </summary>
    /// <param name="path">The users file. Its directory must exist.</param>
    /// <param name="maxUsers">The user limit, 1..<see cref="MaxUserLimit"/>; the file may not hold more.</param>
    /// <returns>The store with every user of the file, in file order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxUsers"/> is outside 1..255.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="UsersFileException">
    /// The file or its directory cannot be read, or the file is not a valid users file (the message
    /// names the line). No store is created: loading is all or nothing.
    /// </exception>
    public static UserStore Open(string path, int maxUsers = DefaultMaxUsers) => Open(path, maxUsers, UserStoreOptions.Default);

    /// <summary>Opens a file-backed store with non-default hashing settings (tests).</summary>
    internal static UserStore Open(string path, int maxUsers, UserStoreOptions options)
    {
        ThrowIfBadLimit(maxUsers);
        var file = UsersFile.Load(path, maxUsers, out var users);
        return new(maxUsers, options, file, users);
    }

    /// <summary>The names of all users, in the order they were added. A snapshot: later changes do not affect it.</summary>
    /// <returns>Copies of the names; the caller may keep or change them.</returns>
    public IReadOnlyList<byte[]> ListUsers()
    {
        var users = Volatile.Read(ref _snapshot).Users;
        var names = new byte[users.Length][];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = users[i].Name.ToArray();
        }

        return names;
    }

    /// <summary>
    /// Adds a user. Runs one PBKDF2 derivation (hundreds of milliseconds at the default cost) and,
    /// when the store has a users file, writes and syncs the file before returning, so call it from a
    /// thread that may block.
    /// </summary>
    /// <param name="username">The name, 1..255 bytes, compared byte for byte.</param>
    /// <param name="password">The password, 1..255 bytes. Only a salted hash is kept.</param>
    /// <returns>
    /// <see cref="UserChangeResult.Ok"/> when added (and saved); <see cref="UserChangeResult.UserExists"/>
    /// or <see cref="UserChangeResult.UserLimit"/> when nothing changed.
    /// </returns>
    /// <exception cref="ArgumentException">The username or password is empty or longer than 255 bytes.</exception>
    /// <exception cref="IOException">
    /// The users file could not be saved; the user was not added. (Rarely: the file was saved but its
    /// directory could not be synced; then the user was added, as the file says.)
    /// </exception>
    public UserChangeResult Add(ReadOnlySpan<byte> username, ReadOnlySpan<byte> password) => AddCore(username, password, saved: true);

    /// <summary>
    /// Adds a user for the life of this store only: it is never written to the users file, so it
    /// is gone after a restart (meant for users given on the command line, which are given again at
    /// every start). It counts towards <see cref="MaxUsers"/>, is listed, validated and removed like
    /// any other user. Runs one PBKDF2 derivation.
    /// </summary>
    /// <param name="username">The name, 1..255 bytes, compared byte for byte.</param>
    /// <param name="password">The password, 1..255 bytes. Only a salted hash is kept.</param>
    /// <returns>
    /// <see cref="UserChangeResult.Ok"/> when added; <see cref="UserChangeResult.UserExists"/> (also when the
    /// users file already has that name) or <see cref="UserChangeResult.UserLimit"/> when nothing changed.
    /// </returns>
    /// <exception cref="ArgumentException">The username or password is empty or longer than 255 bytes.</exception>
    public UserChangeResult AddTemporary(ReadOnlySpan<byte> username, ReadOnlySpan<byte> password) => AddCore(username, password, saved: false);

    private UserChangeResult AddCore(ReadOnlySpan<byte> username, ReadOnlySpan<byte> password, bool saved)
    {
        ThrowIfBadCredential(username, nameof(username));
        ThrowIfBadCredential(password, nameof(password));

        // Check first so that a refused add does not cost a derivation; checked again under the lock.
        var refusal = CheckAdd(Volatile.Read(ref _snapshot), username);
        if (refusal != UserChangeResult.Ok)
        {
            return refusal;
        }

        Interlocked.Increment(ref _derivationCount);
        var record = new UserRecord(username.ToArray(), PasswordHash.Create(password, _iterations), saved);

        // The clear password is known now: seed the verification cache so the user's first handshake
        // already skips PBKDF2.
        record.SetVerifier(PasswordMac(password));

        string? notDurable;
        lock (_changeLock)
        {
            var current = _snapshot;
            refusal = CheckAdd(current, username);
            if (refusal != UserChangeResult.Ok)
            {
                return refusal;
            }

            notDurable = Commit(current.With(record), save: saved);
        }

        return notDurable is null ? UserChangeResult.Ok : throw new IOException(notDurable);
    }

    /// <summary>
    /// Removes a user and raises <see cref="UserRemoved"/>. When the store has a users file, the file
    /// is written and synced before this returns.
    /// </summary>
    /// <param name="username">The name, compared byte for byte.</param>
    /// <returns><see cref="UserChangeResult.Ok"/> when removed; <see cref="UserChangeResult.UserNotFound"/> when no user has that name.</returns>
    /// <exception cref="IOException">
    /// The users file could not be saved; the user was not removed. (Rarely: the file was saved but
    /// its directory could not be synced; then the user was removed, as the file says, and
    /// <see cref="UserRemoved"/> was raised.)
    /// </exception>
    public UserChangeResult Remove(ReadOnlySpan<byte> username)
    {
        UserRecord? removed;
        string? notDurable;
        lock (_changeLock)
        {
            var current = _snapshot;
            if (!current.Lookup.TryGetValue(username, out removed))
            {
                return UserChangeResult.UserNotFound;
            }

            notDurable = Commit(current.Without(removed), save: removed.Saved);
        }

        UserRemoved?.Invoke(this, new UserRemovedEventArgs(removed.Name));
        return notDurable is null ? UserChangeResult.Ok : throw new IOException(notDurable);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Usually costs one HMAC and a fixed-time comparison. PBKDF2 runs only for a user whose password
    /// has not been verified since the store was created or loaded, and for a password that is not
    /// among the recent failures; such derivations are limited to a few at a time and wait for a
    /// free slot (cancellable through <paramref name="cancellationToken"/>). Names or passwords of
    /// the wrong length simply fail.
    /// </remarks>
    public ValueTask<bool> ValidateAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        if (!IsValidLength(username.Length) || !IsValidLength(password.Length))
        {
            return ValueTask.FromResult(false);
        }

        var snapshot = Volatile.Read(ref _snapshot);
        snapshot.Lookup.TryGetValue(username.Span, out var record);

        if (record is null)
        {
            // Same work as for a user whose password is cached (one HMAC, one fixed-time comparison
            // against a random verifier), so the answer does not tell whether the name exists.
            _ = MatchesVerifier(password.Span, _unknownUserVerifier);
            return ValueTask.FromResult(false);
        }

        if (record.Verifier is { } verifier)
        {
            return ValueTask.FromResult(MatchesVerifier(password.Span, verifier));
        }

        var failureMac = FailureMac(record, password.Span);
        if (_failures.Contains(failureMac))
        {
            return ValueTask.FromResult(false);
        }

        return VerifyByDerivationAsync(record, password, failureMac, cancellationToken);
    }

    private async ValueTask<bool> VerifyByDerivationAsync(UserRecord record, ReadOnlyMemory<byte> password, byte[] failureMac, CancellationToken cancellationToken)
    {
        await _derivationGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // While this check waited, another may have verified the user or failed with the same
            // password; the caches are filled before the gate is released, so then no derivation runs.
            if (record.Verifier is { } verifier)
            {
                return MatchesVerifier(password.Span, verifier);
            }

            if (_failures.Contains(failureMac))
            {
                return false;
            }

            Interlocked.Increment(ref _derivationCount);
            if (record.Hash.Matches(password.Span))
            {
                record.SetVerifier(PasswordMac(password.Span));
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

    /// <summary>
    /// Saves (when file-backed and <paramref name="save"/>) and then publishes <paramref name="next"/>.
    /// Called under the change lock. If saving throws, nothing is published: the store is unchanged.
    /// </summary>
    /// <returns>Null, or why the saved file might not be durable (the change is published anyway, to match the file).</returns>
    private string? Commit(Snapshot next, bool save)
    {
        string? notDurable = null;
        if (save && _file is not null)
        {
            notDurable = _file.Save(next.Users.Where(static u => u.Saved));
        }

        Volatile.Write(ref _snapshot, next);
        return notDurable;
    }

    private static void ThrowIfBadLimit(int maxUsers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxUsers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxUsers, MaxUserLimit);
    }

    private UserChangeResult CheckAdd(Snapshot snapshot, ReadOnlySpan<byte> username)
    {
        if (snapshot.Lookup.ContainsKey(username))
        {
            return UserChangeResult.UserExists;
        }

        return snapshot.Users.Length >= MaxUsers ? UserChangeResult.UserLimit : UserChangeResult.Ok;
    }

    private bool MatchesVerifier(ReadOnlySpan<byte> password, byte[] verifier)
    {
        Span<byte> mac = stackalloc byte[MacSize];
        HMACSHA256.HashData(_macKey, password, mac);
        return CryptographicOperations.FixedTimeEquals(mac, verifier);
    }

    private byte[] PasswordMac(ReadOnlySpan<byte> password) => HMACSHA256.HashData(_macKey, password);

    private byte[] FailureMac(UserRecord record, ReadOnlySpan<byte> password)
    {
        Span<byte> input = stackalloc byte[UserRecord.NonceSize + MaxCredentialLength];
        record.Nonce.CopyTo(input);
        password.CopyTo(input[UserRecord.NonceSize..]);
        var mac = HMACSHA256.HashData(_macKey, input[..(UserRecord.NonceSize + password.Length)]);
        CryptographicOperations.ZeroMemory(input);
        return mac;
    }

    private static bool IsValidLength(int length) => length is >= 1 and <= MaxCredentialLength;

    private static void ThrowIfBadCredential(ReadOnlySpan<byte> value, string paramName)
    {
        if (!IsValidLength(value.Length))
        {
            throw new ArgumentException($"Must be 1..{MaxCredentialLength} bytes, was {value.Length}.", paramName);
        }
    }

    /// <summary>The users at one moment: never changed after it is published.</summary>
    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([]);

        public static Snapshot Create(ImmutableArray<UserRecord> users) => new(users);

        private Snapshot(ImmutableArray<UserRecord> users)
        {
            Users = users;
            var byName = users.ToFrozenDictionary(static u => u.Name, ByteArrayComparer.Instance);
            Lookup = byName.GetAlternateLookup<ReadOnlySpan<byte>>();
        }

        /// <summary>In insertion order.</summary>
        public ImmutableArray<UserRecord> Users { get; }

        public FrozenDictionary<byte[], UserRecord>.AlternateLookup<ReadOnlySpan<byte>> Lookup { get; }

        public Snapshot With(UserRecord user) => new(Users.Add(user));

        public Snapshot Without(UserRecord user) => new(Users.Remove(user));
    }
}
