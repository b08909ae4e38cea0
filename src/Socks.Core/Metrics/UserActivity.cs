namespace Socks.Core.Metrics;

/// <summary>
/// The live counters of one user: changed only through <see cref="Interlocked"/>, a few times per session (never per
/// chunk: the bytes of open sessions are read from the sessions themselves, see <see cref="UserActivityTable"/>).
/// </summary>
internal sealed class UserActivity
{
    private long _active;
    private long _sessions;
    private long _lastLogin;
    private long _denials;
    private long _closedUp;
    private long _closedDown;
    private long _quotaUsed;
    private long _quotaKey;
    private Limits.DirectionThrottle? _up;
    private Limits.DirectionThrottle? _down;

    /// <summary>Creates the counters of a user.</summary>
    /// <param name="name">The user's name (owned by this object).</param>
    public UserActivity(byte[] name) => Name = name;

    /// <summary>The user's name.</summary>
    public byte[] Name { get; }

    /// <summary>Sessions open now.</summary>
    public long Active => Volatile.Read(ref _active);

    /// <summary>Authenticated handshakes since start.</summary>
    public long Sessions => Volatile.Read(ref _sessions);

    /// <summary>Unix milliseconds of the last login, 0 = never.</summary>
    public long LastLogin => Volatile.Read(ref _lastLogin);

    /// <summary>Refused requests since start.</summary>
    public long Denials => Volatile.Read(ref _denials);

    /// <summary>Bytes up of ended sessions.</summary>
    public long ClosedUp => Volatile.Read(ref _closedUp);

    /// <summary>Bytes down of ended sessions.</summary>
    public long ClosedDown => Volatile.Read(ref _closedDown);

    /// <summary>A handshake authenticated as this user.</summary>
    /// <param name="unixMilliseconds">When.</param>
    public void LoggedIn(long unixMilliseconds)
    {
        Interlocked.Increment(ref _sessions);

        // Concurrent logins: keep the latest.
        var seen = Volatile.Read(ref _lastLogin);
        while (unixMilliseconds > seen)
        {
            var before = Interlocked.CompareExchange(ref _lastLogin, unixMilliseconds, seen);
            if (before == seen)
            {
                break;
            }

            seen = before;
        }
    }

    /// <summary>Takes a place among the user's open sessions, unless <paramref name="max"/> are open already.</summary>
    /// <param name="max">The limit, 0 for none.</param>
    /// <returns>True when the place was taken (give it back with <see cref="Leave"/>).</returns>
    public bool TryEnter(int max)
    {
        var now = Interlocked.Increment(ref _active);
        if (max > 0 && now > max)
        {
            Interlocked.Decrement(ref _active);
            return false;
        }

        return true;
    }

    /// <summary>A session of <see cref="TryEnter"/> ended.</summary>
    public void Leave() => Interlocked.Decrement(ref _active);

    /// <summary>
    /// The throttles a new session of this user uses, for the user's rates now (null for an unlimited direction),
    /// each held for the session (give them back with <see cref="Limits.DirectionThrottle.Release"/>). A changed rate
    /// replaces the throttle; sessions already running keep theirs.
    /// </summary>
    /// <param name="rateUp">Bytes per second client to target, 0 for none.</param>
    /// <param name="rateDown">Bytes per second target to client, 0 for none.</param>
    /// <param name="up">The client-to-target throttle, held, or null.</param>
    /// <param name="down">The target-to-client throttle, held, or null.</param>
    public void HoldThrottles(long rateUp, long rateDown, out Limits.DirectionThrottle? up, out Limits.DirectionThrottle? down)
    {
        // Only users with a rate, or who had one, get here: the lock is per user and held for a few comparisons.
        lock (this)
        {
            up = Hold(ref _up, rateUp);
            down = Hold(ref _down, rateDown);
        }
    }

    /// <summary>
    /// The user was removed or the server stops: its throttles take no new session and stop their refill timers once
    /// the sessions that hold them have ended.
    /// </summary>
    public void RetireThrottles()
    {
        lock (this)
        {
            _up?.Retire();
            _down?.Retire();
            _up = null;
            _down = null;
        }
    }

    /// <summary>Whether this user has (or had) a rate, so a session must look at <see cref="HoldThrottles"/>.</summary>
    public bool HasThrottles => Volatile.Read(ref _up) is not null || Volatile.Read(ref _down) is not null;

    private static Limits.DirectionThrottle? Hold(ref Limits.DirectionThrottle? current, long rate)
    {
        if (current is { } existing && (existing.Rate != rate || !existing.TryHold()))
        {
            existing.Retire();
            current = null;
        }
        else if (current is not null)
        {
            return current;
        }

        if (rate <= 0)
        {
            return null;
        }

        var created = new Limits.DirectionThrottle(rate);
        created.TryHold();
        Volatile.Write(ref current, created);
        return created;
    }

    /// <summary>Bytes counted against the quota in the period <paramref name="periodKey"/> (0 when the count is of another period).</summary>
    /// <param name="periodKey">The current period (<see cref="Limits.QuotaMeter.PeriodKey"/>).</param>
    /// <returns>The bytes.</returns>
    public long QuotaUsed(long periodKey) => Volatile.Read(ref _quotaKey) == periodKey ? Volatile.Read(ref _quotaUsed) : 0;

    /// <summary>Bytes counted in the period of the last charge (for the statistics; the caller knows whether there is a quota).</summary>
    public long QuotaUsedLastPeriod => Volatile.Read(ref _quotaUsed);

    /// <summary>The period of the last charge.</summary>
    public long QuotaKey => Volatile.Read(ref _quotaKey);

    /// <summary>Counts relayed bytes against the quota of the period <paramref name="periodKey"/>; a new period starts from zero.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="periodKey">The current period.</param>
    /// <returns>The bytes counted in the period, this charge included.</returns>
    public long ChargeQuota(long bytes, long periodKey)
    {
        if (Volatile.Read(ref _quotaKey) != periodKey)
        {
            lock (this)
            {
                if (_quotaKey != periodKey)
                {
                    Volatile.Write(ref _quotaUsed, 0);
                    Volatile.Write(ref _quotaKey, periodKey);
                }
            }
        }

        return Interlocked.Add(ref _quotaUsed, bytes);
    }

    /// <summary>A request of this user was refused.</summary>
    public void Denied() => Interlocked.Increment(ref _denials);

    /// <summary>Adds the relayed bytes of an ended session (inside the table's write bracket).</summary>
    /// <param name="up">Client to target.</param>
    /// <param name="down">Target to client.</param>
    public void AddClosed(long up, long down)
    {
        Interlocked.Add(ref _closedUp, up);
        Interlocked.Add(ref _closedDown, down);
    }
}
