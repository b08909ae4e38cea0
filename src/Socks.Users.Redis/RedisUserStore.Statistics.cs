using System.Collections.Concurrent;
using System.Text;
using Socks.Core.Metrics;
using StackExchange.Redis;

namespace Socks.Users.Redis;

/// <content>
/// Per-user statistics across the fleet (docs/fleet.md "Statistics across the fleet"): every node adds the deltas of
/// its per-user counters to Redis on a timer, in one script per flush, and writes its open sessions into a hash of its
/// own that expires, so a dead node's sessions drop out of the fleet's count.
/// </content>
public sealed partial class RedisUserStore
{
    // KEYS: users, this node's flushed-sequence key, this node's active hash, the nodes set.
    // ARGV: node id, sequence, active time to live (ms), stats key prefix, count of deltas N, then N times (name,
    // sessions, up, down, denials, last login), then pairs (name, active). A batch whose sequence was applied already
    // (its reply was lost and it is sent again) adds nothing; the actives are written whatever the sequence.
    private const string FlushScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local ttl = tonumber(ARGV[3])
        local n = tonumber(ARGV[5])
        local seq = tonumber(ARGV[2])
        local applied = tonumber(redis.call('GET', KEYS[2]) or '0')
        local i = 6
        if seq > applied then
          for u = 1, n do
            local name = ARGV[i]
            if redis.call('HEXISTS', KEYS[1], name) == 1 then
              local key = ARGV[4] .. name
              if ARGV[i + 1] ~= '0' then redis.call('HINCRBY', key, 'sessions', ARGV[i + 1]) end
              if ARGV[i + 2] ~= '0' then redis.call('HINCRBY', key, 'up', ARGV[i + 2]) end
              if ARGV[i + 3] ~= '0' then redis.call('HINCRBY', key, 'down', ARGV[i + 3]) end
              if ARGV[i + 4] ~= '0' then redis.call('HINCRBY', key, 'denials', ARGV[i + 4]) end
              if tonumber(ARGV[i + 5]) > tonumber(redis.call('HGET', key, 'last_login') or '0') then
                redis.call('HSET', key, 'last_login', ARGV[i + 5])
              end
            end
            i = i + 6
          end
          redis.call('SET', KEYS[2], ARGV[2], 'PX', 86400000)
        else
          i = i + 6 * n
          redis.call('PEXPIRE', KEYS[2], 86400000)
        end
        redis.call('DEL', KEYS[3])
        while i < #ARGV do
          redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
          i = i + 2
        end
        redis.call('PEXPIRE', KEYS[3], ttl)
        redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
        redis.call('ZADD', KEYS[4], now + ttl, ARGV[1])
        if seq > applied then return 1 end
        return 0
        """;

    // KEYS: the nodes set, users. ARGV: stats key prefix, active key prefix, this node's id, then the names. For each
    // name: sessions, up, down, denials, last login (fleet totals in Redis), the open sessions of the other live nodes,
    // and whether the user is the fleet's (1) or only this node's (0: given on its command line).
    private const string ReadStatisticsScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local nodes = redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
        local out = {}
        for j = 4, #ARGV do
          local name = ARGV[j]
          local s = redis.call('HMGET', ARGV[1] .. name, 'sessions', 'up', 'down', 'denials', 'last_login')
          local active = 0
          for _, node in ipairs(nodes) do
            if node ~= ARGV[3] then
              active = active + tonumber(redis.call('HGET', ARGV[2] .. node, name) or '0')
            end
          end
          out[#out + 1] = {s[1] or '0', s[2] or '0', s[3] or '0', s[4] or '0', s[5] or '0', tostring(active),
            tostring(redis.call('HEXISTS', KEYS[2], name))}
        end
        return out
        """;

    // What this node has had acknowledged by Redis, per user (key: the name's bytes as Latin-1 text).
    private readonly ConcurrentDictionary<string, Counters> _flushed = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private Func<IReadOnlyList<UserStatistics>>? _statistics;
    private Batch? _unacknowledged;
    private long _sequence;
    private Task _flushLoop = Task.CompletedTask;

    /// <summary>
    /// This node's id in Redis (its leases, its open-sessions hash <c>{prefix}active:{node}</c>): the host name and a
    /// random part drawn at start, so a restarted node is a new node (its flush sequence starts again).
    /// </summary>
    public string NodeId => _node;

    /// <summary>
    /// Starts adding this node's per-user counters to the fleet's every <see cref="RedisUserStoreOptions.StatisticsInterval"/>,
    /// off the handshake path (a timer of its own). Call it once, with the SOCKS server's statistics.
    /// </summary>
    /// <param name="source">The node's live per-user statistics (counters since start, as MCP USER_STATS reports them).</param>
    /// <exception cref="InvalidOperationException">Called a second time.</exception>
    public void PublishStatistics(Func<IReadOnlyList<UserStatistics>> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Interlocked.CompareExchange(ref _statistics, source, null) is not null)
        {
            throw new InvalidOperationException("The statistics are published already.");
        }

        _flushLoop = Task.Run(FlushLoopAsync, CancellationToken.None);
    }

    /// <summary>
    /// Adds what this node counted since its last acknowledged flush to Redis now (the timer does it by itself). A batch
    /// Redis did not acknowledge is kept and sent again, with the same sequence number, before anything newer.
    /// </summary>
    /// <returns>True when Redis acknowledged everything counted until the call.</returns>
    public async Task<bool> FlushStatisticsAsync()
    {
        if (Volatile.Read(ref _statistics) is not { } source)
        {
            return true;
        }

        await _flushGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_unacknowledged is { } again && !await TrySendAsync(again).ConfigureAwait(false))
            {
                return false;
            }

            var batch = NextBatch(source());
            _unacknowledged = batch;
            return await TrySendAsync(batch).ConfigureAwait(false);
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>
    /// The fleet's statistics of <paramref name="usernames"/>, in that order (MCP FLEET_USER_STATS): the totals in Redis
    /// plus what this node counted and has not had acknowledged yet; open sessions are this node's live count plus
    /// those the other live nodes wrote at their last flush.
    /// </summary>
    /// <param name="usernames">The users.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>One entry per user.</returns>
    /// <exception cref="IOException">Redis did not answer.</exception>
    public async Task<IReadOnlyList<FleetUserStatistics>> GetFleetStatisticsAsync(IReadOnlyList<byte[]> usernames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usernames);
        var arguments = new RedisValue[3 + usernames.Count];
        arguments[0] = _options.Prefix + "stats:";
        arguments[1] = _options.Prefix + "active:";
        arguments[2] = _node;
        for (var i = 0; i < usernames.Count; i++)
        {
            arguments[3 + i] = usernames[i];
        }

        RedisResult[] rows;
        var local = new Dictionary<string, UserStatistics>(StringComparer.Ordinal);
        Dictionary<string, Counters> acknowledged;
        // Not while a flush is under way: Redis's totals and what this node had acknowledged are read at one moment.
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await _redis.GetDatabase().ScriptEvaluateAsync(ReadStatisticsScript, [NodesKey, _usersKey], arguments).WaitAsync(cancellationToken).ConfigureAwait(false);
            rows = (RedisResult[])result!;
            foreach (var user in Volatile.Read(ref _statistics)?.Invoke() ?? [])
            {
                local[Encoding.Latin1.GetString(user.Username)] = user;
            }

            acknowledged = new Dictionary<string, Counters>(_flushed, StringComparer.Ordinal);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            SetOffline(exception.Message);
            throw new IOException($"Redis {_options.EndPoint} did not answer: {exception.Message}", exception);
        }
        finally
        {
            _flushGate.Release();
        }

        var entries = new List<FleetUserStatistics>(usernames.Count);
        for (var i = 0; i < usernames.Count; i++)
        {
            var values = (RedisResult[])rows[i]!;
            var name = Encoding.Latin1.GetString(usernames[i]);
            local.TryGetValue(name, out var mine);
            if ((long)values[6] == 0)
            {
                // A user only this node has (-u): its fleet is this node.
                entries.Add(new FleetUserStatistics(usernames[i], mine?.ActiveSessions ?? 0, mine?.Sessions ?? 0, mine?.BytesUp ?? 0,
                    mine?.BytesDown ?? 0, mine?.LastLoginUnixMilliseconds ?? 0, mine?.Denials ?? 0));
                continue;
            }

            var pending = mine is null ? default : Delta(mine, acknowledged.GetValueOrDefault(name));
            entries.Add(new FleetUserStatistics(
                usernames[i],
                (long)values[5] + (mine?.ActiveSessions ?? 0),
                (long)values[0] + pending.Sessions,
                (long)values[1] + pending.Up,
                (long)values[2] + pending.Down,
                Math.Max((long)values[4], mine?.LastLoginUnixMilliseconds ?? 0),
                (long)values[3] + pending.Denials));
        }

        return entries;
    }

    private RedisKey NodesKey => _options.Prefix + "nodes";

    private RedisValue StatsPrefix => _options.Prefix + "stats:";

    /// <summary>The counters not yet acknowledged: the live ones less the acknowledged ones, or all of them when they restarted (the user was removed and added again).</summary>
    private static Counters Delta(UserStatistics now, Counters acknowledged)
    {
        var current = new Counters(now.Sessions, now.BytesUp, now.BytesDown, now.Denials, now.LastLoginUnixMilliseconds);
        if (current.Sessions < acknowledged.Sessions || current.Up < acknowledged.Up || current.Down < acknowledged.Down || current.Denials < acknowledged.Denials)
        {
            acknowledged = default;
        }

        return new Counters(current.Sessions - acknowledged.Sessions, current.Up - acknowledged.Up, current.Down - acknowledged.Down,
            current.Denials - acknowledged.Denials, current.LastLogin > acknowledged.LastLogin ? current.LastLogin : 0);
    }

    private Batch NextBatch(IReadOnlyList<UserStatistics> statistics)
    {
        var deltas = new List<RedisValue>();
        var actives = new List<RedisValue>();
        var reached = new Dictionary<string, Counters>(StringComparer.Ordinal);
        var count = 0;
        foreach (var user in statistics)
        {
            var name = Encoding.Latin1.GetString(user.Username);
            var delta = Delta(user, _flushed.GetValueOrDefault(name));
            reached[name] = new Counters(user.Sessions, user.BytesUp, user.BytesDown, user.Denials, user.LastLoginUnixMilliseconds);
            if (delta != default)
            {
                deltas.AddRange([user.Username, delta.Sessions, delta.Up, delta.Down, delta.Denials, delta.LastLogin]);
                count++;
            }

            if (user.ActiveSessions > 0)
            {
                actives.AddRange([user.Username, user.ActiveSessions]);
            }
        }

        var ttl = (long)(_options.StatisticsInterval.TotalMilliseconds * 3);
        var arguments = new List<RedisValue>(5 + deltas.Count + actives.Count)
        {
            _node, Interlocked.Increment(ref _sequence), ttl, StatsPrefix, count,
        };
        arguments.AddRange(deltas);
        arguments.AddRange(actives);
        return new Batch([.. arguments], reached);
    }

    private async Task<bool> TrySendAsync(Batch batch)
    {
        try
        {
            await _redis.GetDatabase().ScriptEvaluateAsync(FlushScript,
                [_usersKey, _options.Prefix + "flushed:" + _node, _options.Prefix + "active:" + _node, NodesKey], batch.Arguments).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Not acknowledged: maybe not applied, maybe applied with the reply lost. The same batch (same sequence)
            // goes again first at the next flush, and Redis adds it only if it did not already.
            SetOffline(exception.Message);
            return false;
        }

        _unacknowledged = null;
        foreach (var (name, counters) in batch.Reached)
        {
            _flushed[name] = counters;
        }

        return true;
    }

    private void ForgetStatistics(ReadOnlySpan<byte> username) => _flushed.TryRemove(Encoding.Latin1.GetString(username), out _);

    private async Task FlushLoopAsync()
    {
        while (true)
        {
            try
            {
                await Task.Delay(_options.StatisticsInterval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await FlushStatisticsAsync().ConfigureAwait(false);
        }
    }

    /// <summary>At a clean stop: the last counts go to Redis and this node's open sessions leave the fleet's count at once.</summary>
    private async Task FinalFlushAsync()
    {
        await _flushLoop.ConfigureAwait(false);
        if (Volatile.Read(ref _statistics) is null || State == Offline)
        {
            return;
        }

        await FlushStatisticsAsync().ConfigureAwait(false);
        try
        {
            var database = _redis.GetDatabase();
            await Task.WhenAll(
                database.KeyDeleteAsync(_options.Prefix + "active:" + _node),
                database.SortedSetRemoveAsync(NodesKey, _node)).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Unreachable: the hash expires by itself.
        }
    }

    private readonly record struct Counters(long Sessions, long Up, long Down, long Denials, long LastLogin);

    /// <summary>One flush: the script's arguments (its sequence number included) and the counters it brings Redis to.</summary>
    private sealed record Batch(RedisValue[] Arguments, Dictionary<string, Counters> Reached);
}
