using System.Collections.Frozen;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Runtime.CompilerServices;
using System.Text;
using Socks.Core.Limits;
using Socks.Core.Users.Verification;

namespace Socks.Core.Users;

/// <summary>
/// The default <see cref="IUserStore"/> and <see cref="IUserDirectory"/>: up to <see cref="MaxUsers"/>
/// RFC 1929 users, names and passwords compared byte for byte, passwords kept only as salted
/// PBKDF2-HMAC-SHA256 hashes, in memory only or saved to a users file.
/// </summary>
/// <remarks>
/// <para>
/// Authentication reads an immutable snapshot of the users that changes replace atomically, so
/// <see cref="ValidateAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, CancellationToken)"/> never waits for <see cref="Add(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> or <see cref="Remove(ReadOnlySpan{byte})"/>; changes are
/// serialized among themselves. A change takes effect for the next handshake.
/// </para>
/// <para>
/// A handshake does not run PBKDF2 every time: checks go through a <see cref="PasswordVerifier"/>,
/// which keeps an HMAC of each verified password and runs the derivations still needed at most a
/// few at a time. See docs/users-file.md.
/// </para>
/// <para>
/// The synchronous <see cref="Add(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>, <see cref="AddTemporary(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> and <see cref="Remove(ReadOnlySpan{byte})"/> block the
/// caller for the derivation and the file's fsync (meant for start-up); the <see cref="IUserDirectory"/>
/// methods run the same changes on a thread of their own.
/// </para>
/// </remarks>
public sealed class UserStore : IUserStore, IUserDirectory, IUserLimits
{
    /// <summary>The user limit when none is given.</summary>
    public const int DefaultMaxUsers = 10;

    /// <summary>The longest username or password (RFC 1929 §2: one length byte).</summary>
    public const int MaxCredentialLength = Protocol.Socks5Constants.MaxFieldLength;

    /// <summary>At most one "address throttled" warning this often; the next one says how many were not logged.</summary>
    private static readonly TimeSpan ThrottledWarningInterval = TimeSpan.FromSeconds(30);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Lock _changeLock = new();
    private readonly PasswordVerifier _verifier;
    private readonly AddressThrottle _throttle;
    private readonly TimeSpan _failureBackoff;
    private readonly int _iterations;
    private WarningThrottle? _throttledWarning;
    private long _throttledSinceWarning;
    private readonly UsersFile? _file;
    private readonly ILogger _logger;
    private Snapshot _snapshot;

    private UserStore(int maxUsers, UserStoreOptions options, UsersFile? file, ImmutableArray<UserRecord> users, ILogger? logger)
    {
        MaxUsers = maxUsers;
        _verifier = new PasswordVerifier(options.Iterations, options.MaxConcurrentDerivations, options.MaxQueuedDerivationsPerUser, options.MaxQueuedDerivations);
        _throttle = new AddressThrottle(options.FailureLimit, options.FailureWindow, options.FailureBackoff);
        _failureBackoff = options.FailureBackoff;
        _iterations = options.Iterations;
        _file = file;
        _logger = logger ?? NullLogger.Instance;
        _snapshot = users.IsEmpty ? Snapshot.Empty : Snapshot.Create(users);
    }

    /// <summary>
    /// Raised after <see cref="Remove(ReadOnlySpan{byte})"/> or <see cref="RemoveAsync"/> removed a user (and saved the
    /// change), after the store's own lock was released: on the thread that called <see cref="Remove(ReadOnlySpan{byte})"/>,
    /// or on the change thread of <see cref="RemoveAsync"/> before its task completes. The SOCKS server
    /// uses it to end that user's sessions. Handlers must be quick and must not throw: an exception
    /// reaches the caller of the removal although the user is already gone. Being raised outside the
    /// lock, the event can arrive after another thread has already added the same name again.
    /// </summary>
    public event EventHandler<UserRemovedEventArgs>? UserRemoved;

    /// <summary>The most users this store accepts (any positive number; a management protocol may allow fewer).</summary>
    public int MaxUsers { get; }

    /// <summary>The full path of the users file, or null for an in-memory store.</summary>
    public string? FilePath => _file?.Path;

    /// <summary>How many users exist now.</summary>
    public int Count => Volatile.Read(ref _snapshot).Users.Length;

    /// <inheritdoc />
    public bool HasUsers => Count > 0;

    /// <summary>How many PBKDF2 derivations this store has run (tests check the cache with it).</summary>
    internal long DerivationCount => _verifier.DerivationCount;

    /// <summary>The store's verifier (tests watch and hold its derivations).</summary>
    internal PasswordVerifier Verifier => _verifier;

    /// <summary>The record of a user now, or null (tests tell whose derivation runs).</summary>
    internal PasswordHash? HashOf(ReadOnlySpan<byte> username) =>
        Volatile.Read(ref _snapshot).Lookup.TryGetValue(username, out var record) ? record.Hash : null;

    /// <summary>Creates a store that lives only in memory.</summary>
    /// <param name="maxUsers">The user limit, at least 1.</param>
    /// <returns>An empty store.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxUsers"/> is less than 1.</exception>
    public static UserStore CreateInMemory(int maxUsers = DefaultMaxUsers) => CreateInMemory(maxUsers, UserStoreOptions.Default);

    /// <summary>Creates an in-memory store with non-default hashing settings.</summary>
    /// <param name="maxUsers">The user limit, at least 1.</param>
    /// <param name="options">The hashing settings.</param>
    /// <returns>An empty store.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxUsers"/> is less than 1, or a setting is out of range.</exception>
    public static UserStore CreateInMemory(int maxUsers, UserStoreOptions options) => CreateInMemory(maxUsers, options, logger: null);

    /// <summary>Creates an in-memory store with non-default settings that logs (client addresses being throttled).</summary>
    /// <param name="maxUsers">The user limit, at least 1.</param>
    /// <param name="options">The hashing and throttling settings.</param>
    /// <param name="logger">Where warnings go, or null for nowhere.</param>
    /// <returns>An empty store.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxUsers"/> is less than 1, or a setting is out of range.</exception>
    public static UserStore CreateInMemory(int maxUsers, UserStoreOptions options, ILogger? logger)
    {
        ThrowIfBadLimit(maxUsers);
        ThrowIfBadOptions(options);
        return new(maxUsers, options, file: null, users: [], logger);
    }

    /// <summary>
    /// Creates a store backed by a users file (format: docs/users-file.md) and loads its users.
    /// A missing file means no users yet; it is created, mode 0600, by the first change. Every
    /// change rewrites the whole file atomically before it returns.
    /// </summary>
    /// <param name="path">The users file. Its directory must exist.</param>
    /// <param name="maxUsers">The user limit, at least 1; the file may not hold more.</param>
    /// <param name="logger">
    /// Where a save that is in place but not confirmed durable (the directory could not be synced) is
    /// reported as a warning, or null for nowhere. The change itself succeeds.
    /// </param>
    /// <returns>The store with every user of the file, in file order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxUsers"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="UsersFileException">
    /// The file or its directory cannot be read, or the file is not a valid users file (the message
    /// names the line). No store is created: loading is all or nothing.
    /// </exception>
    public static UserStore Open(string path, int maxUsers = DefaultMaxUsers, ILogger? logger = null) =>
        Open(path, maxUsers, UserStoreOptions.Default, logger);

    /// <summary>Opens a file-backed store with non-default hashing settings; see <see cref="Open(string, int, ILogger?)"/>.</summary>
    /// <param name="path">The users file. Its directory must exist.</param>
    /// <param name="maxUsers">The user limit, at least 1; the file may not hold more.</param>
    /// <param name="options">The hashing settings (for users added from now on).</param>
    /// <param name="logger">Where a save that could not be made fully durable is reported (a warning), or null.</param>
    /// <returns>The store with every user of the file, in file order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxUsers"/> is less than 1, or a setting is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="UsersFileException">The file cannot be read or is not a valid users file.</exception>
    public static UserStore Open(string path, int maxUsers, UserStoreOptions options, ILogger? logger = null)
    {
        ThrowIfBadLimit(maxUsers);
        ThrowIfBadOptions(options);
        var file = UsersFile.Load(path, maxUsers, options.SyncDirectory, out var users);
        return new(maxUsers, options, file, users, logger);
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

    /// <inheritdoc />
    /// <remarks>Completes at once: the list is read from the current snapshot.</remarks>
    public ValueTask<IReadOnlyList<byte[]>> ListUsersAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<IReadOnlyList<byte[]>>(cancellationToken)
            : ValueTask.FromResult(ListUsers());

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
    /// <exception cref="IOException">The users file could not be saved; the user was not added.</exception>
    /// <remarks>
    /// Rarely the file is saved but its directory cannot be synced: the user is added, as the file
    /// says, the result is <see cref="UserChangeResult.Ok"/> and a warning goes to the store's logger.
    /// </remarks>
    public UserChangeResult Add(ReadOnlySpan<byte> username, ReadOnlySpan<byte> password) => AddCore(username, password, saved: true);

    /// <inheritdoc />
    /// <remarks>
    /// Does what <see cref="Add(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> does on a thread of its own (not a thread-pool thread), so the
    /// derivation and the fsync do not block the caller. <paramref name="cancellationToken"/> is
    /// looked at only before the change starts.
    /// </remarks>
    public ValueTask<UserChangeResult> AddAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken) =>
        RunChangeAsync(() => Add(username.Span, password.Span), cancellationToken);

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

    /// <summary>
    /// <see cref="Add(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> with the UTF-8 encoding of <paramref name="username"/>
    /// and <paramref name="password"/> (what a SOCKS client sends for them): <c>users.Add("alice", "secret")</c>.
    /// </summary>
    /// <param name="username">The name; 1..255 bytes in UTF-8.</param>
    /// <param name="password">The password; 1..255 bytes in UTF-8. Only a salted hash is kept.</param>
    /// <returns>As <see cref="Add(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A credential is not valid UTF-16, or is empty or longer than 255 bytes in UTF-8.</exception>
    /// <exception cref="IOException">The users file could not be saved; the user was not added.</exception>
    public UserChangeResult Add(string username, string password) => Add(Encode(username), Encode(password));

    /// <summary>
    /// <see cref="AddTemporary(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> with the UTF-8 encoding of
    /// <paramref name="username"/> and <paramref name="password"/>.
    /// </summary>
    /// <param name="username">The name; 1..255 bytes in UTF-8.</param>
    /// <param name="password">The password; 1..255 bytes in UTF-8. Only a salted hash is kept.</param>
    /// <returns>As <see cref="AddTemporary(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A credential is not valid UTF-16, or is empty or longer than 255 bytes in UTF-8.</exception>
    public UserChangeResult AddTemporary(string username, string password) => AddTemporary(Encode(username), Encode(password));

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

        // The clear password is known now: the verifier seeds its cache, so the user's first handshake
        // already skips PBKDF2.
        var record = new UserRecord(username.ToArray(), _verifier.CreateHash(password), saved);

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

        ReportNotDurable(notDurable);
        return UserChangeResult.Ok;
    }

    /// <summary>
    /// Removes a user and raises <see cref="UserRemoved"/>. When the store has a users file, the file
    /// is written and synced before this returns.
    /// </summary>
    /// <param name="username">The name, compared byte for byte.</param>
    /// <returns><see cref="UserChangeResult.Ok"/> when removed; <see cref="UserChangeResult.UserNotFound"/> when no user has that name.</returns>
    /// <exception cref="IOException">The users file could not be saved; the user was not removed.</exception>
    /// <remarks>
    /// Rarely the file is saved but its directory cannot be synced: the user is removed, as the file
    /// says, <see cref="UserRemoved"/> is raised, the result is <see cref="UserChangeResult.Ok"/> and a
    /// warning goes to the store's logger.
    /// </remarks>
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

        ReportNotDurable(notDurable);
        UserRemoved?.Invoke(this, new UserRemovedEventArgs(removed.Name));
        return UserChangeResult.Ok;
    }

    /// <summary>
    /// Re-reads the users file, which is the truth: users added to it can log in, users removed from it are removed
    /// (and <see cref="UserRemoved"/> is raised for each, which ends their sessions), users whose password changed in
    /// it take the new one (and are reported removed too: their sessions logged in with the old one). Users added
    /// with <see cref="AddTemporary(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> are kept. Changes saved by this store are in the file already, so they are kept.
    /// If the file cannot be read, is not valid, or does not fit beside the temporary users, nothing changes.
    /// </summary>
    /// <returns>What changed.</returns>
    /// <exception cref="InvalidOperationException">The store has no users file.</exception>
    /// <exception cref="UsersFileException">The file cannot be read or is not valid; the store is unchanged.</exception>
    public UsersReloadResult Reload()
    {
        var file = _file ?? throw new InvalidOperationException("The store has no users file to reload.");
        return Apply(file.Path, () => file.Read(MaxUsers));
    }

    /// <summary>
    /// Makes <paramref name="records"/> the store's saved users, as <see cref="Reload"/> does with the users file: for a
    /// store whose users live elsewhere (a shared database such as Redis) and are copied into this in-memory snapshot,
    /// which handshakes check without waiting for that database. New users can log in, users no longer listed are removed
    /// (<see cref="UserRemoved"/> is raised for each, which ends their sessions), a changed password replaces the old one
    /// (and is reported removed too). A user whose record did not change keeps its cached verification, so it costs no
    /// new PBKDF2 derivation. Users added with <see cref="AddTemporary(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> are kept.
    /// Nothing is written to a users file. All or nothing: a bad record changes nothing.
    /// </summary>
    /// <param name="source">Names where the records come from, in error messages ("redis 127.0.0.1:6379").</param>
    /// <param name="records">
    /// One record per user in the syntax of a users-file line (docs/users-file.md, v2: limits may follow), as
    /// <see cref="CreateRecord(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> makes them; names must be unique.
    /// </param>
    /// <returns>What changed.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="UsersFileException">A record is not valid, a name is given twice, or there are more users than <see cref="MaxUsers"/>; the store is unchanged.</exception>
    public UsersReloadResult Synchronize(string source, IEnumerable<string> records)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(records);
        return Apply(source, () =>
        {
            var parsed = ImmutableArray.CreateBuilder<UserRecord>();
            var names = new HashSet<byte[]>(ByteArrayComparer.Instance);
            foreach (var line in records)
            {
                var record = UsersFile.ParseRecordLine(source, line ?? throw new UsersFileException(source, null, "null user record"));
                if (!names.Add(record.Name))
                {
                    throw new UsersFileException(source, null, $"user '{HostileText.Escape(record.Name)}' is given twice");
                }

                parsed.Add(record);
            }

            return parsed.ToImmutable();
        });
    }

    /// <summary>
    /// Derives the stored form of a user's password (a fresh random salt, PBKDF2-HMAC-SHA256 at this store's iteration
    /// count) and returns the user's record as one users-file line: <c>base64(name):pbkdf2-sha256:iterations:base64(salt):base64(hash)</c>
    /// (docs/users-file.md). The clear password is not in it. Meant for stores that keep users elsewhere and hand them to
    /// <see cref="Synchronize(string, IEnumerable{string})"/>. Runs one derivation (hundreds of milliseconds at the
    /// default cost) on the caller's thread; the store itself is not changed.
    /// </summary>
    /// <param name="username">The name, 1..255 bytes.</param>
    /// <param name="password">The password, 1..255 bytes.</param>
    /// <returns>The record line, ASCII, without a newline.</returns>
    /// <exception cref="ArgumentException">The username or password is empty or longer than 255 bytes.</exception>
    public string CreateRecord(ReadOnlySpan<byte> username, ReadOnlySpan<byte> password)
    {
        ThrowIfBadCredential(username, nameof(username));
        ThrowIfBadCredential(password, nameof(password));
        return UsersFile.FormatRecord(new UserRecord(username.ToArray(), PasswordHash.Create(password, _iterations)));
    }

    /// <summary>Replaces the saved users with those <paramref name="load"/> returns (under the change lock).</summary>
    private UsersReloadResult Apply(string source, Func<ImmutableArray<UserRecord>> load)
    {
        List<byte[]> ended = [];
        int added = 0, removed = 0, changed = 0;
        Snapshot next;
        lock (_changeLock)
        {
            var current = _snapshot;
            var loaded = load();
            var users = ImmutableArray.CreateBuilder<UserRecord>(loaded.Length);
            users.AddRange(current.Users.Where(static u => !u.Saved));
            foreach (var record in loaded)
            {
                if (!current.Lookup.TryGetValue(record.Name, out var known))
                {
                    added++;
                    users.Add(record);
                }
                else if (!known.Saved)
                {
                    throw new UsersFileException(source, null, $"user '{HostileText.Escape(record.Name)}' is also given on the command line (-u): give it in one place only");
                }
                else if (known.Hash.SameAs(record.Hash))
                {
                    // The same user: keep its record, whose verified password is cached; its limits are the file's.
                    users.Add(known.Limits == record.Limits ? known : known.WithLimits(record.Limits));
                }
                else
                {
                    changed++;
                    ended.Add(known.Name);
                    users.Add(record);
                }
            }

            if (users.Count > MaxUsers)
            {
                throw new UsersFileException(source, null, $"holds {loaded.Length} users, and with the {users.Count - loaded.Length} given on the command line that is more than the limit of {MaxUsers}");
            }

            var kept = new HashSet<byte[]>(loaded.Select(static r => r.Name), ByteArrayComparer.Instance);
            foreach (var user in current.Users.Where(u => u.Saved && !kept.Contains(u.Name)))
            {
                removed++;
                ended.Add(user.Name);
            }

            next = Snapshot.Create(users.ToImmutable());
            Volatile.Write(ref _snapshot, next);
        }

        foreach (var name in ended)
        {
            UserRemoved?.Invoke(this, new UserRemovedEventArgs(name));
        }

        return new UsersReloadResult(added, removed, changed, next.Users.Length);
    }

    /// <inheritdoc />
    /// <remarks>Reads the current snapshot: no lock, no allocation.</remarks>
    public bool TryGetLimits(ReadOnlySpan<byte> username, out UserLimits limits)
    {
        if (Volatile.Read(ref _snapshot).Lookup.TryGetValue(username, out var record))
        {
            limits = record.Limits;
            return true;
        }

        limits = UserLimits.None;
        return false;
    }

    /// <summary>
    /// Sets a user's limits (docs/users-file.md "Limits"), replacing the ones it had. When the store has a users
    /// file (and the user is not temporary), the file is written and synced before this returns. The new limits
    /// apply from the next handshake; running sessions keep the rates they started with, and the quota counts on.
    /// </summary>
    /// <param name="username">The name, compared byte for byte.</param>
    /// <param name="limits">The limits; <see cref="UserLimits.None"/> removes them all.</param>
    /// <returns><see cref="UserChangeResult.Ok"/> when set (and saved); <see cref="UserChangeResult.UserNotFound"/> when no user has that name.</returns>
    /// <exception cref="IOException">The users file could not be saved; nothing changed.</exception>
    public UserChangeResult SetLimits(ReadOnlySpan<byte> username, UserLimits limits)
    {
        string? notDurable;
        lock (_changeLock)
        {
            var current = _snapshot;
            if (!current.Lookup.TryGetValue(username, out var known))
            {
                return UserChangeResult.UserNotFound;
            }

            if (known.Limits == limits)
            {
                return UserChangeResult.Ok;
            }

            notDurable = Commit(current.Replace(known, known.WithLimits(limits)), save: known.Saved);
        }

        ReportNotDurable(notDurable);
        return UserChangeResult.Ok;
    }

    /// <summary><see cref="SetLimits(ReadOnlySpan{byte}, UserLimits)"/> with the UTF-8 encoding of <paramref name="username"/>.</summary>
    /// <param name="username">The name.</param>
    /// <param name="limits">The limits.</param>
    /// <returns>As <see cref="SetLimits(ReadOnlySpan{byte}, UserLimits)"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="username"/> is null.</exception>
    /// <exception cref="IOException">The users file could not be saved; nothing changed.</exception>
    public UserChangeResult SetLimits(string username, UserLimits limits) => SetLimits(Encode(username), limits);

    /// <summary>
    /// Does what <see cref="SetLimits(ReadOnlySpan{byte}, UserLimits)"/> does on a thread of its own (not a thread-pool
    /// thread), so the fsync does not block the caller. <paramref name="cancellationToken"/> is looked at only before
    /// the change starts.
    /// </summary>
    /// <param name="username">The name. Read only until the returned task completes.</param>
    /// <param name="limits">The limits.</param>
    /// <param name="cancellationToken">Cancels waiting for the change to start.</param>
    /// <returns>As <see cref="SetLimits(ReadOnlySpan{byte}, UserLimits)"/>.</returns>
    public ValueTask<UserChangeResult> SetLimitsAsync(ReadOnlyMemory<byte> username, UserLimits limits, CancellationToken cancellationToken) =>
        RunChangeAsync(() => SetLimits(username.Span, limits), cancellationToken);

    /// <summary><see cref="Remove(ReadOnlySpan{byte})"/> with the UTF-8 encoding of <paramref name="username"/>.</summary>
    /// <param name="username">The name.</param>
    /// <returns>As <see cref="Remove(ReadOnlySpan{byte})"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="username"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="username"/> is not valid UTF-16.</exception>
    /// <exception cref="IOException">The users file could not be saved; the user was not removed.</exception>
    public UserChangeResult Remove(string username) => Remove(Encode(username));

    /// <inheritdoc />
    /// <remarks>
    /// Does what <see cref="Remove(ReadOnlySpan{byte})"/> does on a thread of its own (not a thread-pool thread), so the
    /// fsync does not block the caller; <see cref="UserRemoved"/> is raised on that thread.
    /// <paramref name="cancellationToken"/> is looked at only before the change starts.
    /// </remarks>
    public ValueTask<UserChangeResult> RemoveAsync(ReadOnlyMemory<byte> username, CancellationToken cancellationToken) =>
        RunChangeAsync(() => Remove(username.Span), cancellationToken);

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

        // An unknown name gives a null record: the verifier then does the work of a cached check.
        Volatile.Read(ref _snapshot).Lookup.TryGetValue(username.Span, out var record);
        return _verifier.VerifyAsync(record?.Hash, password, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Checks as <see cref="ValidateAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, CancellationToken)"/> does,
    /// and throttles failures per client address (<see cref="UserStoreOptions.FailureLimit"/>): an address in
    /// its back-off is refused at once, without a password check, and a failure is counted against the
    /// address, on the session's clock. A check cancelled because the client went away is not counted.
    /// </remarks>
    public async ValueTask<bool> ValidateAsync(SessionContext session, ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var address = session.Client.Address;
        var time = session.TimeProvider;
        cancellationToken.ThrowIfCancellationRequested();
        if (_throttle.IsBlocked(address, time))
        {
            return false;
        }

        if (await ValidateAsync(username, password, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        if (_throttle.RecordFailure(address, time))
        {
            ReportThrottled(address, time);
        }

        return false;
    }

    private void ReportThrottled(System.Net.IPAddress address, TimeProvider time)
    {
        var warning = Volatile.Read(ref _throttledWarning)
            ?? Interlocked.CompareExchange(ref _throttledWarning, new WarningThrottle(time, ThrottledWarningInterval), null)
            ?? _throttledWarning!;
        var suppressed = Interlocked.Increment(ref _throttledSinceWarning) - 1;
        if (warning.TryWarn())
        {
            Interlocked.Add(ref _throttledSinceWarning, -(suppressed + 1));
            Log.AddressThrottled(_logger, address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, _failureBackoff, suppressed);
        }
    }

    /// <summary>
    /// Runs a blocking change on a thread of its own, as the MCP server needs: admin work then can
    /// neither starve the SOCKS sessions' thread-pool work nor be abandoned half made (the change
    /// finishes however the caller's token goes, and the credentials it reads stay valid until then).
    /// </summary>
    private static ValueTask<UserChangeResult> RunChangeAsync(Func<UserChangeResult> change, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<UserChangeResult>(cancellationToken);
        }

        return new ValueTask<UserChangeResult>(Task.Factory.StartNew(
            change,
            CancellationToken.None,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default));
    }

    private void ReportNotDurable(string? notDurable)
    {
        // The rename is done, so file and memory agree on the change: that is success. Only its
        // survival of a crash is unconfirmed, which the operator should hear about.
        if (notDurable is not null)
        {
            Log.UsersFileNotDurable(_logger, notDurable);
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

    private static void ThrowIfBadOptions(UserStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Iterations, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentDerivations, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxQueuedDerivationsPerUser, 0, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxQueuedDerivations, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FailureLimit, 0, nameof(options));
        if (options.FailureLimit > 0 && (options.FailureWindow <= TimeSpan.Zero || options.FailureBackoff <= TimeSpan.Zero))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "FailureWindow and FailureBackoff must be positive while FailureLimit is.");
        }
    }

    private static void ThrowIfBadLimit(int maxUsers) => ArgumentOutOfRangeException.ThrowIfLessThan(maxUsers, 1);

    private UserChangeResult CheckAdd(Snapshot snapshot, ReadOnlySpan<byte> username)
    {
        if (snapshot.Lookup.ContainsKey(username))
        {
            return UserChangeResult.UserExists;
        }

        return snapshot.Users.Length >= MaxUsers ? UserChangeResult.UserLimit : UserChangeResult.Ok;
    }

    private static bool IsValidLength(int length) => length is >= 1 and <= MaxCredentialLength;

    /// <summary>Strict UTF-8 (a lone surrogate is an <see cref="ArgumentException"/>, never a silent U+FFFD).</summary>
    private static byte[] Encode(string text, [CallerArgumentExpression(nameof(text))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(text, name);
        return StrictUtf8.GetBytes(text);
    }

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

        public Snapshot Replace(UserRecord old, UserRecord user) => new(Users.Replace(old, user));
    }
}
