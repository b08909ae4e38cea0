using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Socks.Core.Limits;
using StackExchange.Redis;

namespace Socks.Users.Redis;

/// <content>Fleet-wide session limits: leases in Redis that expire (docs/fleet.md "Session limits").</content>
public sealed partial class RedisUserStore : ISessionLeases
{
    // KEYS: the user's lease set. ARGV: limit, lease id, lease time in ms. Redis's clock, so nodes' clocks do not matter.
    private const string AcquireScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    // KEYS: the user's lease set. ARGV: lease id, lease time in ms. Adds the lease again when it was lost (Redis was
    // unreachable for longer than the lease time, or the lease was taken while it was): the session is real.
    private const string RenewScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    private readonly ConcurrentDictionary<long, Lease> _leases = new();
    private readonly string _node = Environment.MachineName + "/" + Guid.NewGuid().ToString("N")[..12];
    private long _nextLease;
    private Task _renewLoop = Task.CompletedTask;

    /// <summary>How many fleet leases this node holds now (one per open session of a user with a session limit).</summary>
    public int LeaseCount => _leases.Count;

    /// <inheritdoc />
    /// <remarks>
    /// One script in Redis drops the user's expired leases, counts the others (every node's) and adds this one when
    /// fewer than <paramref name="maxSessions"/> are held. While Redis is unreachable (or does not answer within
    /// <see cref="RedisUserStoreOptions.CommandTimeout"/>) the session is admitted on this node's own count (which the
    /// caller has checked already) and its lease is added to Redis at the next renewal once Redis is back.
    /// </remarks>
    public async ValueTask<IDisposable?> TryAcquireAsync(ReadOnlyMemory<byte> username, int maxSessions, CancellationToken cancellationToken)
    {
        var lease = new Lease(this, LeaseKey(username.Span), _node + ":" + Interlocked.Increment(ref _nextLease).ToString(CultureInfo.InvariantCulture));
        if (State != Offline)
        {
            try
            {
                var result = await _redis.GetDatabase().ScriptEvaluateAsync(AcquireScript, [lease.Key],
                    [maxSessions, lease.Id, (long)_options.LeaseTime.TotalMilliseconds]).ConfigureAwait(false);
                if ((long)result == 0)
                {
                    return null;
                }
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                SetOffline(exception.Message);
            }
        }

        _leases[lease.Number] = lease;
        return lease;
    }

    private RedisKey LeaseKey(ReadOnlySpan<byte> username)
    {
        var prefix = Encoding.UTF8.GetBytes(_options.Prefix + "sessions:");
        var key = new byte[prefix.Length + username.Length];
        prefix.CopyTo(key, 0);
        username.CopyTo(key.AsSpan(prefix.Length));
        return key;
    }

    private async Task RenewLeasesAsync()
    {
        var interval = _options.LeaseTime / 3;
        while (true)
        {
            try
            {
                await Task.Delay(interval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var database = _redis.GetDatabase();
            var renewals = new List<Task>();
            foreach (var lease in _leases.Values)
            {
                if (lease.TryRenew(database, _options.LeaseTime) is { } renewal)
                {
                    renewals.Add(renewal);
                }
            }

            try
            {
                await Task.WhenAll(renewals).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                SetOffline(exception.Message);
            }
        }
    }

    private void ReleaseAllLeases()
    {
        foreach (var lease in _leases.Values)
        {
            lease.Dispose();
        }
    }

    /// <summary>One session's place in a user's lease set; disposing it removes it there (fire and forget).</summary>
    private sealed class Lease(RedisUserStore store, RedisKey key, string id) : IDisposable
    {
        private static long _numbers;
        private readonly Lock _gate = new();
        private bool _released;

        public long Number { get; } = Interlocked.Increment(ref _numbers);

        public RedisKey Key => key;

        public string Id => id;

        /// <summary>Sends the renewal unless the lease was released: under the lock, so a release's ZREM is always queued after it.</summary>
        public Task? TryRenew(IDatabase database, TimeSpan leaseTime)
        {
            lock (_gate)
            {
                return _released ? null : database.ScriptEvaluateAsync(RenewScript, [key], [id, (long)leaseTime.TotalMilliseconds]);
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                if (_released)
                {
                    return;
                }

                _released = true;
                store._leases.TryRemove(Number, out _);
                try
                {
                    store._redis.GetDatabase().SortedSetRemove(key, id, CommandFlags.FireAndForget);
                }
                catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
                {
                    // Unreachable or stopped: the lease expires by itself within the lease time.
                }
            }
        }
    }
}
