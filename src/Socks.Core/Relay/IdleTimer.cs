namespace Socks.Core.Relay;

/// <summary>
/// Fires once when no activity was recorded for a whole timeout. Recording activity is one timestamp
/// read and one store, so the relay can do it on every read and write; the timer itself wakes up at
/// most once per timeout period (when it fires early because of activity, it re-arms for the rest).
/// </summary>
internal sealed class IdleTimer : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly Action _onIdle;
    private readonly ITimer _timer;
    private long _lastActivity;
    private int _fired;

    /// <summary>Starts the timer; the first period starts now.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="timeout">How long without activity counts as idle; <see cref="Timeout.InfiniteTimeSpan"/> disables it.</param>
    /// <param name="onIdle">Called once, on a timer thread, when the timeout expires.</param>
    public IdleTimer(TimeProvider timeProvider, TimeSpan timeout, Action onIdle)
    {
        _timeProvider = timeProvider;
        _timeout = timeout;
        _onIdle = onIdle;
        _lastActivity = timeProvider.GetTimestamp();
        _timer = timeProvider.CreateTimer(static state => ((IdleTimer)state!).OnTimer(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True once the timer has fired.</summary>
    public bool HasFired => Volatile.Read(ref _fired) != 0;

    /// <summary>Records activity: the idle period restarts now.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, _timeProvider.GetTimestamp());

    /// <inheritdoc/>
    public void Dispose() => _timer.Dispose();

    private void OnTimer()
    {
        var idleFor = _timeProvider.GetElapsedTime(Volatile.Read(ref _lastActivity));
        if (idleFor < _timeout)
        {
            // Activity since the timer was armed: wait for the rest of the period. Change returns
            // false after Dispose, which is fine: the relay is over.
            _timer.Change(_timeout - idleFor, Timeout.InfiniteTimeSpan);
            return;
        }

        if (Interlocked.Exchange(ref _fired, 1) == 0)
        {
            _onIdle();
        }
    }
}
