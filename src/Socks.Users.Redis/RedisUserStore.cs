using System.Diagnostics.Metrics;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Socks.Core;
using Socks.Core.Limits;
using Socks.Core.Users;
using StackExchange.Redis;

namespace Socks.Users.Redis;

/// <summary>
/// Users shared by a fleet of SOCKS servers through Redis: an <see cref="IUserStore"/> and <see cref="IUserDirectory"/>
/// whose truth is a Redis hash of salted PBKDF2 records (never clear passwords), and whose handshakes never wait on
/// Redis: every node checks logins against a verified in-memory snapshot, a <see cref="UserStore"/> it keeps in step.
/// </summary>
/// <remarks>
/// <para>Keys, all under <see cref="RedisUserStoreOptions.Prefix"/>: <c>{prefix}users</c>, a hash from each username
/// (raw bytes) to its record in users-file syntax (docs/users-file.md, limits included); <c>{prefix}version</c>, a
/// counter raised by every change; <c>{prefix}changes</c>, the channel each change is published on.</para>
/// <para>A change (<see cref="AddAsync"/>, <see cref="RemoveAsync"/>) is one Lua script, atomic across nodes; the
/// method returns after Redis acknowledged it and this node applied it. The other nodes apply it when the
/// channel wakes them, or at the latest at their next version check (<see cref="RedisUserStoreOptions.PollInterval"/>),
/// since pub/sub drops messages while a connection is re-established. A removal raises <see cref="UserRemoved"/>
/// on every node (on the thread that applied it), which ends the user's sessions there.</para>
/// <para>While Redis is unreachable the node serves from its last snapshot (or refuses new logins,
/// <see cref="RedisOfflineMode.Refuse"/>), logs that once, reconnects with back-off and reads everything again
/// when Redis is back. The state is the gauge <c>socks.redis.connected</c> of the meter "Socks.Users.Redis".</para>
/// <para>The store always requires authentication (<see cref="HasUsers"/> is true): a node that has not yet read
/// its users must not let anonymous clients in.</para>
/// </remarks>
public sealed partial class RedisUserStore : IUserStore, IUserDirectory, IUserLimits, IAsyncDisposable
{
    /// <summary>The name of the meter that publishes <c>socks.redis.connected</c>.</summary>
    public const string MeterName = "Socks.Users.Redis";

    // KEYS: users, version. ARGV: name, record, max users, channel, stats key prefix. Refusals change nothing. A new
    // user's fleet statistics start at zero.
    private const string AddScript = """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'exists' end
        if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 'limit' end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('DEL', ARGV[5] .. ARGV[1])
        local version = redis.call('INCR', KEYS[2])
        redis.call('PUBLISH', ARGV[4], version)
        return 'ok'
        """;

    // KEYS: users, version. ARGV: name, channel, stats key prefix. The user's fleet statistics go with it.
    private const string RemoveScript = """
        if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 'missing' end
        redis.call('DEL', ARGV[3] .. ARGV[1])
        local version = redis.call('INCR', KEYS[2])
        redis.call('PUBLISH', ARGV[2], version)
        return 'ok'
        """;

    // KEYS: users, version. ARGV: name, the record as read, the new record, channel. Changes nothing when the record
    // changed meanwhile (another node set limits or a new password): the caller reads again.
    private const string ReplaceScript = """
        if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 'changed' end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        local version = redis.call('INCR', KEYS[2])
        redis.call('PUBLISH', ARGV[4], version)
        return 'ok'
        """;

    // KEYS: version, users. The version and the users it belongs to, read at one moment.
    private const string ReadScript = "return {redis.call('GET', KEYS[1]), redis.call('HVALS', KEYS[2])}";

    private const int Unknown = 0, Online = 1, Offline = 2;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly UserStore _local;
    private readonly RedisUserStoreOptions _options;
    private readonly ConnectionMultiplexer _redis;
    private readonly RedisKey _usersKey;
    private readonly RedisKey _versionKey;
    private readonly RedisChannel _channel;
    private readonly string _source;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _syncGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _applied = -1;
    private int _state;
    private int _forceRead;
    private int _subscribed;

    private RedisUserStore(RedisUserStoreOptions options, UserStore local, ConnectionMultiplexer redis, ILogger? logger, IMeterFactory? meterFactory)
    {
        _options = options;
        _local = local;
        _redis = redis;
        _usersKey = options.Prefix + "users";
        _versionKey = options.Prefix + "version";
        _channel = RedisChannel.Literal(options.Prefix + "changes");
        _source = "redis " + options.EndPoint;
        _logger = logger ?? NullLogger.Instance;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableGauge("socks.redis.connected", () => State == Online ? 1 : 0, unit: null,
            description: "1 while Redis, where the fleet's users are, is reachable; 0 while this node serves from (or refuses with) its last snapshot.");
        _local.UserRemoved += (_, e) =>
        {
            UserRemoved?.Invoke(this, e);
            // After the server dropped the user's counters: a flush in between finds no counters, never old ones
            // against a forgotten baseline (which would add them again).
            ForgetStatistics(e.Username.Span);
        };
        _redis.ConnectionFailed += (_, e) => SetOffline(e.Exception?.Message ?? e.FailureType.ToString());
        _redis.ConnectionRestored += (_, _) =>
        {
            Volatile.Write(ref _forceRead, 1);
            Wake();
        };
    }

    /// <summary>Raised on every node when a user was removed anywhere in the fleet (see the remarks of the class).</summary>
    public event EventHandler<UserRemovedEventArgs>? UserRemoved;

    /// <inheritdoc />
    public int MaxUsers => _local.MaxUsers;

    /// <summary>Always true: a fleet node requires username/password whatever its snapshot holds.</summary>
    public bool HasUsers => true;

    /// <summary>Whether Redis answered the last command (the value of <c>socks.redis.connected</c>).</summary>
    public bool IsConnected => State == Online;

    /// <summary>The version of the users this node's snapshot holds (the <c>{prefix}version</c> counter), or -1 before the first read.</summary>
    public long Version => Interlocked.Read(ref _applied);

    /// <summary>How many users the snapshot holds now (those given locally with <see cref="UserStore.AddTemporary(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> included).</summary>
    public int Count => _local.Count;

    private int State => Volatile.Read(ref _state);

    /// <summary>
    /// Connects to Redis, reads the users into <paramref name="local"/> and starts following changes. When Redis cannot
    /// be reached the store is returned anyway: it logs that once, serves (or refuses) from the snapshot and keeps
    /// trying in the background.
    /// </summary>
    /// <param name="options">Where Redis is and how to follow it.</param>
    /// <param name="local">The in-memory snapshot that handshakes check (<see cref="UserStore.CreateInMemory(int, UserStoreOptions, ILogger?)"/>); the store owns its saved users from now on.</param>
    /// <param name="logger">Where state changes go, or null.</param>
    /// <param name="meterFactory">Creates the "Socks.Users.Redis" meter, or null for a meter of its own.</param>
    /// <param name="cancellationToken">Cancels the first connection attempt.</param>
    /// <returns>The running store; dispose it to stop following Redis.</returns>
    /// <exception cref="ArgumentException">An option is not valid (the endpoint is not HOST:PORT, the interval is not positive).</exception>
    /// <exception cref="AuthenticationException">Redis answered but refused this node: the password (AUTH), or, with
    /// <see cref="RedisUserStoreOptions.TlsCertificateAuthorities"/>, its certificate is not signed by them or does not
    /// name the host. The message is one line naming the problem.</exception>
    public static async Task<RedisUserStore> ConnectAsync(RedisUserStoreOptions options, UserStore local, ILogger? logger, IMeterFactory? meterFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(local);
        if (options.PollInterval <= TimeSpan.Zero || options.CommandTimeout <= TimeSpan.Zero || options.LeaseTime < TimeSpan.FromMilliseconds(300)
            || options.StatisticsInterval < RedisUserStoreOptions.MinStatisticsInterval)
        {
            throw new ArgumentException("PollInterval and CommandTimeout must be positive, LeaseTime at least 300 ms, StatisticsInterval at least 100 ms.", nameof(options));
        }

        var configuration = new ConfigurationOptions
        {
            Password = options.Password,
            Ssl = options.Tls,
            AbortOnConnectFail = false,
            ConnectTimeout = (int)options.CommandTimeout.TotalMilliseconds,
            SyncTimeout = (int)options.CommandTimeout.TotalMilliseconds,
            AsyncTimeout = (int)options.CommandTimeout.TotalMilliseconds,
            ReconnectRetryPolicy = new ExponentialRetry(250, (int)MaxBackoff.TotalMilliseconds),
            ClientName = "socks5d",
        };
        try
        {
            configuration.EndPoints.Add(options.EndPoint);
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"Not a Redis endpoint (HOST:PORT): {options.EndPoint}", nameof(options), exception);
        }

        var tls = new TlsCheck(options.TlsCertificateAuthorities);
        if (options.Tls)
        {
            configuration.CertificateValidation += tls.Validate;
        }

        var redis = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken).ConfigureAwait(false);

        // Asked whether connected or not: a Redis that wants a password and got none may let the connection come
        // up and refuse every command after it (NOAUTH), and which of the two a start sees is a race.
        await ThrowIfRefusedAsync(redis, options, tls).ConfigureAwait(false);

        var store = new RedisUserStore(options, local, redis, logger, meterFactory);
        if (!await store.TrySyncAsync(force: true).ConfigureAwait(false))
        {
            store.SetOffline("no answer at start");
        }

        store._loop = Task.Run(store.FollowAsync, CancellationToken.None);
        store._renewLoop = Task.Run(store.RenewLeasesAsync, CancellationToken.None);
        return store;
    }

    /// <summary>PINGs at start that may time out before Redis counts as unreachable (each waits the command timeout).</summary>
    private const int StartPings = 3;

    /// <summary>
    /// At start, a PING tells a Redis that refused this node (the password, or the TLS certificate: a connection
    /// error, or NOAUTH/WRONGPASS on a connection that came up) from one that is not reachable yet or answers: the
    /// first is a configuration error, the second is served from the snapshot until Redis is back. A PING that times
    /// out is sent again, up to <see cref="StartPings"/> in all.
    /// </summary>
    private static async Task ThrowIfRefusedAsync(ConnectionMultiplexer redis, RedisUserStoreOptions options, TlsCheck tls)
    {
        string? problem = null;
        for (var attempt = 1; problem is null; attempt++)
        {
            try
            {
                await redis.GetDatabase().PingAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException && (tls.Problem is not null
                || exception is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure }
                || exception.ToString().Contains("WRONGPASS", StringComparison.Ordinal) || exception.ToString().Contains("NOAUTH", StringComparison.Ordinal)))
            {
                problem = tls.Problem is { } certificate
                    ? $"Redis {options.EndPoint}: {certificate}"
                    : options.Password is null ? $"Redis {options.EndPoint} requires a password" : $"Redis {options.EndPoint} refused the password";
            }
            catch (TimeoutException) when (attempt < StartPings)
            {
                // Something answers, slowly (a TLS handshake on a loaded host): asked again before it counts as unreachable,
                // so a refusal that comes late is still one.
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                // Not reachable (yet): no error, the store serves from its snapshot and keeps trying.
                return;
            }
        }

        redis.Dispose();
        throw new AuthenticationException(problem);
    }

    /// <summary>Reads Redis now and applies what changed (tests and tools; the store does it by itself).</summary>
    /// <returns>True when Redis answered.</returns>
    public Task<bool> SynchronizeAsync() => TrySyncAsync(force: true);

    /// <inheritdoc />
    public ValueTask<bool> ValidateAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken) =>
        RefusesLogins ? ValueTask.FromResult(false) : _local.ValidateAsync(username, password, cancellationToken);

    /// <inheritdoc />
    /// <remarks>The snapshot's check, with its per-address failure throttle; never a Redis round trip.</remarks>
    public ValueTask<bool> ValidateAsync(SessionContext session, ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken) =>
        RefusesLogins ? ValueTask.FromResult(false) : _local.ValidateAsync(session, username, password, cancellationToken);

    /// <inheritdoc />
    public bool TryGetLimits(ReadOnlySpan<byte> username, out UserLimits limits) => _local.TryGetLimits(username, out limits);

    /// <inheritdoc />
    /// <remarks>From the snapshot: what this node checks logins against.</remarks>
    public ValueTask<IReadOnlyList<byte[]>> ListUsersAsync(CancellationToken cancellationToken) => _local.ListUsersAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Derives the hash on a thread of its own, then adds the record in Redis with one script (the name is checked
    /// there, against the whole fleet, and the limit too), then applies the new version to this node's snapshot.
    /// An <see cref="IOException"/> means Redis did not acknowledge the change (unreachable, timed out, refused).
    /// </remarks>
    public async ValueTask<UserChangeResult> AddAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken)
    {
        ThrowIfBadCredential(username.Length, nameof(username));
        ThrowIfBadCredential(password.Length, nameof(password));
        cancellationToken.ThrowIfCancellationRequested();
        if (_local.TryGetLimits(username.Span, out _))
        {
            return UserChangeResult.UserExists;
        }

        var record = await Task.Factory.StartNew(
            () => _local.CreateRecord(username.Span, password.Span),
            CancellationToken.None,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default).ConfigureAwait(false);
        var outcome = await RunScriptAsync(AddScript, [username.ToArray(), record, _local.MaxUsers, _channel.ToString(), StatsPrefix]).ConfigureAwait(false);
        switch (outcome)
        {
            case "exists":
                return UserChangeResult.UserExists;
            case "limit":
                return UserChangeResult.UserLimit;
            default:
                await TrySyncAsync(force: false).ConfigureAwait(false);
                return UserChangeResult.Ok;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Removes the record in Redis with one script, then applies the new version here (which raises
    /// <see cref="UserRemoved"/>); the other nodes follow. A user given only to this node (command line) is removed here only.
    /// </remarks>
    public async ValueTask<UserChangeResult> RemoveAsync(ReadOnlyMemory<byte> username, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var outcome = await RunScriptAsync(RemoveScript, [username.ToArray(), _channel.ToString(), StatsPrefix]).ConfigureAwait(false);
        if (outcome == "missing")
        {
            return _local.TryGetLimits(username.Span, out _)
                ? await _local.RemoveAsync(username, CancellationToken.None).ConfigureAwait(false)
                : UserChangeResult.UserNotFound;
        }

        await TrySyncAsync(force: false).ConfigureAwait(false);
        return UserChangeResult.Ok;
    }

    /// <summary>
    /// Sets a user's limits for the whole fleet (MCP SET_LIMITS): the user's record in Redis gets the new limits (v2
    /// syntax, docs/users-file.md), atomically against other changes of that record, and this node applies the new
    /// version before the call returns; the other nodes follow as for any change. New limits apply from the next
    /// handshake on each node. A user given only to this node (command line) gets them here only.
    /// </summary>
    /// <param name="username">The name. Read only until the returned task completes.</param>
    /// <param name="limits">The limits; <see cref="UserLimits.None"/> removes them all.</param>
    /// <param name="cancellationToken">Cancels waiting for the change to start.</param>
    /// <returns><see cref="UserChangeResult.Ok"/> when set; <see cref="UserChangeResult.UserNotFound"/> when no user has that name.</returns>
    /// <exception cref="IOException">Redis did not acknowledge the change; nothing changed.</exception>
    public async ValueTask<UserChangeResult> SetLimitsAsync(ReadOnlyMemory<byte> username, UserLimits limits, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var name = username.ToArray();
        for (var attempt = 0; ; attempt++)
        {
            RedisValue current;
            try
            {
                current = await _redis.GetDatabase().HashGetAsync(_usersKey, name).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                SetOffline(exception.Message);
                throw new IOException($"Redis {_options.EndPoint} did not answer: {exception.Message}", exception);
            }

            if (current.IsNull)
            {
                return _local.TryGetLimits(username.Span, out _)
                    ? await _local.SetLimitsAsync(username, limits, CancellationToken.None).ConfigureAwait(false)
                    : UserChangeResult.UserNotFound;
            }

            var record = current.ToString();
            var credentials = record.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries)[0];
            var replaced = limits.IsNone ? credentials : credentials + " " + limits;
            var outcome = await RunScriptAsync(ReplaceScript, [name, record, replaced, _channel.ToString()]).ConfigureAwait(false);
            if (outcome == "ok" || attempt == 4)
            {
                await TrySyncAsync(force: false).ConfigureAwait(false);
                return outcome == "ok" ? UserChangeResult.Ok
                    : throw new IOException($"Redis {_options.EndPoint}: the record of the user kept changing; the limits were not set");
            }
        }
    }

    /// <summary>Stops following Redis and closes the connection. The snapshot stays as it is.</summary>
    /// <returns>A task that completes when the store has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _renewLoop.ConfigureAwait(false);
        await FinalFlushAsync().ConfigureAwait(false);
        ReleaseAllLeases();
        await _redis.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
        _redis.Dispose();
        _meter.Dispose();
        _stop.Dispose();
    }

    private bool RefusesLogins => _options.Offline == RedisOfflineMode.Refuse && State != Online;

    private async Task<string> RunScriptAsync(string script, RedisValue[] arguments)
    {
        try
        {
            var result = await _redis.GetDatabase().ScriptEvaluateAsync(script, [_usersKey, _versionKey], arguments).ConfigureAwait(false);
            return result.ToString();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            SetOffline(exception.Message);
            throw new IOException($"Redis {_options.EndPoint} did not acknowledge the change: {exception.Message}", exception);
        }
    }

    private async Task FollowAsync()
    {
        var delay = _options.PollInterval;
        while (true)
        {
            try
            {
                await _wake.WaitAsync(delay, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var force = Interlocked.Exchange(ref _forceRead, 0) == 1;
            // Back-off while Redis does not answer (the connection itself reconnects with its own back-off and wakes us).
            delay = await TrySyncAsync(force).ConfigureAwait(false)
                ? _options.PollInterval
                : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken: one read takes every change made until then.
        }
    }

    private async Task<bool> TrySyncAsync(bool force)
    {
        await _syncGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var database = _redis.GetDatabase();
            if (!force && Version >= 0)
            {
                var current = await database.StringGetAsync(_versionKey).ConfigureAwait(false);
                if ((current.IsNull ? 0 : (long)current) == Version)
                {
                    await EnsureSubscribedAsync().ConfigureAwait(false);
                    SetOnline();
                    return true;
                }
            }

            var result = await database.ScriptEvaluateAsync(ReadScript, [_versionKey, _usersKey]).ConfigureAwait(false);
            var parts = (RedisResult[])result!;
            var version = parts[0].IsNull ? 0 : (long)parts[0];
            var records = ((RedisValue[])parts[1]!).Select(static value => value.ToString()).ToList();
            Apply(version, records);
            await EnsureSubscribedAsync().ConfigureAwait(false);
            SetOnline();
            return true;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            SetOffline(exception.Message);
            return false;
        }
        finally
        {
            _syncGate.Release();
        }
    }

    private async Task EnsureSubscribedAsync()
    {
        // The multiplexer re-subscribes by itself after a reconnect; a subscription that failed at start is made here.
        if (Volatile.Read(ref _subscribed) == 0)
        {
            await _redis.GetSubscriber().SubscribeAsync(_channel, (_, _) => Wake()).ConfigureAwait(false);
            Volatile.Write(ref _subscribed, 1);
        }
    }

    private void Apply(long version, List<string> records)
    {
        var applied = Version;
        if (version < applied)
        {
            Log.VersionWentBack(_logger, _options.EndPoint, applied, version);
        }

        try
        {
            var changes = _local.Synchronize(_source, records);
            if (applied < 0 || changes.Added + changes.Removed + changes.Changed > 0)
            {
                Log.Synchronized(_logger, _options.EndPoint, _options.Prefix, version, changes.Added, changes.Removed, changes.Changed, changes.Count);
            }
        }
        catch (UsersFileException exception)
        {
            Log.BadRecords(_logger, _options.EndPoint, exception.Problem);
        }

        Interlocked.Exchange(ref _applied, version);
    }

    private void SetOnline()
    {
        if (Interlocked.Exchange(ref _state, Online) == Offline)
        {
            Log.Online(_logger, _options.EndPoint, _local.Count, Version);
        }
    }

    private void SetOffline(string problem)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        if (Interlocked.Exchange(ref _state, Offline) != Offline)
        {
            Log.Offline(_logger, _options.EndPoint, problem, _options.Offline == RedisOfflineMode.Serve ? "served" : "refused", _local.Count);
        }
    }

    private static void ThrowIfBadCredential(int length, string paramName)
    {
        if (length is < 1 or > UserStore.MaxCredentialLength)
        {
            throw new ArgumentException($"Must be 1..{UserStore.MaxCredentialLength} bytes, was {length}.", paramName);
        }
    }

    /// <summary>Checks the Redis server's certificate against the given authorities only, and keeps why it refused.</summary>
    private sealed class TlsCheck(X509Certificate2Collection? authorities)
    {
        private string? _problem;

        public string? Problem => Volatile.Read(ref _problem);

        public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return Refuse("the server sent no TLS certificate");
            }

            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return Refuse($"the TLS certificate ({certificate.Subject}) does not name the host");
            }

            if (authorities is null)
            {
                // The system's roots, as .NET checks them.
                return errors == SslPolicyErrors.None
                    || Refuse($"the TLS certificate ({certificate.Subject}) is not trusted by the system's certificate authorities ({string.Join(", ", chain?.ChainStatus.Select(static s => s.Status.ToString()).Distinct() ?? [])}); a private CA is given with --redis-tls-ca");
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(authorities);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            if (custom.Build(leaf))
            {
                return true;
            }

            var status = string.Join(", ", custom.ChainStatus.Select(static s => s.Status.ToString()).Distinct());
            return Refuse($"the TLS certificate ({certificate.Subject}) is not signed by --redis-tls-ca ({status})");
        }

        private bool Refuse(string problem)
        {
            Volatile.Write(ref _problem, problem);
            return false;
        }
    }
}
