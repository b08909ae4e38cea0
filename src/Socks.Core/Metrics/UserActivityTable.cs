using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Socks.Core.Server;
using Socks.Core.Users;

namespace Socks.Core.Metrics;

/// <summary>
/// The live per-user counters of a server: one <see cref="UserActivity"/> per user that has logged in since start,
/// created at the user's first login and dropped when the user is removed, so the table never holds more entries
/// than there are users. A handshake finds its entry through a span lookup (no allocation once it exists).
/// </summary>
/// <remarks>
/// Bytes are not counted per chunk: an open session's relayed bytes are read from its own counters, and an ending
/// session adds them to its user's totals inside a multi-writer sequence-lock bracket (as in <see cref="SocksMetrics"/>)
/// and marks itself committed; <see cref="Snapshot"/> retries while such a bracket overlaps it, so each session's
/// bytes are counted exactly once, live or in the totals.
/// </remarks>
internal sealed class UserActivityTable
{
    private readonly ConcurrentDictionary<byte[], UserActivity> _users = new(ByteArrayComparer.Instance);
    private readonly ConcurrentDictionary<byte[], UserActivity>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private Func<IReadOnlyList<UserStatistics>>? _source;
    private long _begun;
    private long _finished;

    /// <summary>Creates the table and publishes its instruments on <paramref name="meter"/> (tag <c>socks.user</c>).</summary>
    /// <param name="meter">The Socks.Core meter.</param>
    public UserActivityTable(Meter meter)
    {
        _lookup = _users.GetAlternateLookup<ReadOnlySpan<byte>>();
        meter.CreateObservableGauge("socks.user.sessions.active", () => Observe(static s => s.ActiveSessions), "{session}",
            "Sessions open now, per user.");
        meter.CreateObservableCounter("socks.user.sessions", () => Observe(static s => s.Sessions), "{session}",
            "Handshakes that authenticated as the user since start.");
        meter.CreateObservableCounter("socks.user.io", ObserveBytes, "By",
            "Bytes relayed for the user's sessions, tagged by direction (client_to_target, target_to_client).");
        meter.CreateObservableCounter("socks.user.denials", () => Observe(static s => s.Denials), "{request}",
            "Requests of the user refused (access policy, session limit, quota).");
        meter.CreateObservableGauge("socks.user.last_login", () => Observe(static s => s.LastLoginUnixMilliseconds / 1000), "s",
            "Unix time of the user's last successful login (0 = never).");
    }

    /// <summary>How many users have an entry.</summary>
    public int Count => _users.Count;

    /// <summary>Sets where the instruments read their snapshot (the server, which knows the open sessions).</summary>
    /// <param name="source">The snapshot.</param>
    public void Publish(Func<IReadOnlyList<UserStatistics>> source) => Volatile.Write(ref _source, source);

    /// <summary>The entry of a user, created on first use.</summary>
    /// <param name="name">The user's name.</param>
    /// <returns>The entry.</returns>
    public UserActivity Get(ReadOnlySpan<byte> name)
    {
        if (_lookup.TryGetValue(name, out var activity))
        {
            return activity;
        }

        var created = new UserActivity(name.ToArray());
        return _users.GetOrAdd(created.Name, created);
    }

    /// <summary>The entry of a user, or null when the user has none.</summary>
    /// <param name="name">The user's name.</param>
    /// <returns>The entry or null.</returns>
    public UserActivity? Find(ReadOnlySpan<byte> name) => _lookup.TryGetValue(name, out var activity) ? activity : null;

    /// <summary>Drops a user's entry (the user was removed).</summary>
    /// <param name="name">The user's name.</param>
    public void Remove(ReadOnlySpan<byte> name)
    {
        if (_lookup.TryRemove(name, out _, out var activity))
        {
            activity.RetireThrottles();
        }
    }

    /// <summary>The server stopped: every user's throttles stop their timers (no session holds them any more).</summary>
    public void RetireAll()
    {
        foreach (var activity in _users.Values)
        {
            activity.RetireThrottles();
        }
    }

    /// <summary>Opens a write bracket: an ending session moves its bytes into its user's totals inside it.</summary>
    public void BeginCommit() => Interlocked.Increment(ref _begun);

    /// <summary>Closes the bracket of <see cref="BeginCommit"/>.</summary>
    public void EndCommit() => Interlocked.Increment(ref _finished);

    /// <summary>The statistics of every user with an entry, bytes of open sessions included, ordered by name (ordinal bytes).</summary>
    /// <param name="open">The server's open sessions.</param>
    /// <param name="quotaUsed">The quota used of a user (0 without a quota).</param>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<UserStatistics> Snapshot(ICollection<SocksSession> open, Func<UserActivity, long> quotaUsed)
    {
        var live = new Dictionary<UserActivity, (long Up, long Down)>();
        var closed = new Dictionary<UserActivity, (long Up, long Down)>();
        var spin = default(SpinWait);
        while (true)
        {
            live.Clear();
            closed.Clear();
            var finished = Volatile.Read(ref _finished);
            foreach (var activity in _users.Values)
            {
                closed[activity] = (activity.ClosedUp, activity.ClosedDown);
            }

            foreach (var session in open)
            {
                if (session.User is { } user && !session.UserBytesCommitted)
                {
                    live.TryGetValue(user, out var sum);
                    live[user] = (sum.Up + session.LiveBytesUp, sum.Down + session.LiveBytesDown);
                }
            }

            if (Volatile.Read(ref _begun) == finished)
            {
                break;
            }

            spin.SpinOnce();
        }

        var result = new List<UserStatistics>(closed.Count);
        foreach (var (activity, (up, down)) in closed)
        {
            live.TryGetValue(activity, out var running);
            result.Add(new UserStatistics(
                activity.Name.ToArray(),
                activity.Active,
                activity.Sessions,
                up + running.Up,
                down + running.Down,
                activity.LastLogin,
                activity.Denials,
                quotaUsed(activity)));
        }

        result.Sort(static (a, b) => a.Username.AsSpan().SequenceCompareTo(b.Username));
        return result;
    }

    private IEnumerable<Measurement<long>> Observe(Func<UserStatistics, long> value)
    {
        if (Volatile.Read(ref _source) is not { } source)
        {
            yield break;
        }

        foreach (var user in source())
        {
            yield return new Measurement<long>(value(user), Tag(user));
        }
    }

    private IEnumerable<Measurement<long>> ObserveBytes()
    {
        if (Volatile.Read(ref _source) is not { } source)
        {
            yield break;
        }

        foreach (var user in source())
        {
            var tag = Tag(user);
            yield return new Measurement<long>(user.BytesUp, tag, new KeyValuePair<string, object?>("socks.direction", "client_to_target"));
            yield return new Measurement<long>(user.BytesDown, tag, new KeyValuePair<string, object?>("socks.direction", "target_to_client"));
        }
    }

    /// <summary>The user tag: the name as text, escaped as the logs escape hostile names.</summary>
    private static KeyValuePair<string, object?> Tag(UserStatistics user) =>
        new("socks.user", HostileText.Escape(user.Username));
}
