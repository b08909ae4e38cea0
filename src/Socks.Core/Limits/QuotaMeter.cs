using Socks.Core.Metrics;

namespace Socks.Core.Limits;

/// <summary>
/// Counts a session's relayed bytes (both directions) against its user's quota for the current UTC day or month, and
/// calls back once when they use it up. Created only for a session whose user has a quota: the relay's other
/// sessions never see it.
/// </summary>
internal sealed class QuotaMeter
{
    private readonly UserActivity _user;
    private readonly long _quota;
    private readonly QuotaPeriod _period;
    private readonly TimeProvider _time;
    private readonly Action<UserActivity> _exhausted;
    private readonly Action _abortOwn;

    /// <summary>Creates the meter of one session.</summary>
    /// <param name="user">The session's user, where the count lives.</param>
    /// <param name="quota">Bytes per period.</param>
    /// <param name="period">Day or month.</param>
    /// <param name="time">The server's clock.</param>
    /// <param name="exhausted">Called (on a thread-pool thread, never inside a relay's system call) when a charge uses the quota up.</param>
    /// <param name="abortOwn">Closes this meter's own session, at once, when its charge finds the quota used up.</param>
    public QuotaMeter(UserActivity user, long quota, QuotaPeriod period, TimeProvider time, Action<UserActivity> exhausted, Action abortOwn)
    {
        _abortOwn = abortOwn;
        _user = user;
        _quota = quota;
        _period = period;
        _time = time;
        _exhausted = exhausted;
    }

    /// <summary>The key of the period that contains <paramref name="now"/>: day or month number, tagged with the period.</summary>
    /// <param name="period">Day or month.</param>
    /// <param name="now">The time.</param>
    /// <returns>The key.</returns>
    public static long PeriodKey(QuotaPeriod period, DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        return period == QuotaPeriod.Day
            ? ((utc.Ticks / TimeSpan.TicksPerDay) * 4) + 1
            : ((((long)utc.Year * 12) + utc.Month - 1) * 4) + 2;
    }

    /// <summary>Counts bytes that were relayed; the first charge that reaches the quota calls back.</summary>
    /// <param name="bytes">Bytes written to the destination.</param>
    public void Charge(int bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        var used = _user.ChargeQuota(bytes, PeriodKey(_period, _time.GetUtcNow()));
        if (used < _quota)
        {
            return;
        }

        // This session stops at once (the copier calls this holding no socket reference, so closing its sockets here
        // cannot wait for itself). The user's other sessions are closed from a thread-pool thread, once: their copiers
        // may be inside a splice step right now.
        _abortOwn();
        if (used - bytes < _quota)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Meter._exhausted(state.Meter._user), (Meter: this, 0), preferLocal: false);
        }
    }
}
