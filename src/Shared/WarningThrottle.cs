namespace Socks.Shared;

/// <summary>
/// Lets a warning through at most once per interval, however often its condition recurs and from however many
/// threads: the "connection limit reached" line of the SOCKS and the MCP listener.
/// </summary>
internal sealed class WarningThrottle
{
    /// <summary>How often a listener at its connection limit may warn.</summary>
    public static readonly TimeSpan LimitWarningInterval = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private long _warnedAt = long.MinValue;

    /// <summary>Creates a throttle that has not warned yet.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="interval">The least time between two warnings.</param>
    public WarningThrottle(TimeProvider time, TimeSpan interval)
    {
        _time = time;
        _interval = interval;
    }

    /// <summary>Claims the right to warn now.</summary>
    /// <returns>True for exactly one caller per interval (the first ever caller included); false for the others.</returns>
    public bool TryWarn()
    {
        var last = Interlocked.Read(ref _warnedAt);
        var stamp = _time.GetTimestamp();
        return (last == long.MinValue || _time.GetElapsedTime(last, stamp) >= _interval)
            && Interlocked.CompareExchange(ref _warnedAt, stamp, last) == last;
    }
}
