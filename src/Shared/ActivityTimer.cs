namespace Socks.Shared;

/// <summary>
/// Calls back once when no activity was recorded for a whole timeout: the idle limit of a relayed SOCKS session and
/// of an admin connection. Activity is recorded with <see cref="Touch"/>; between <see cref="EnterBusy"/> and
/// <see cref="ExitBusy"/> the clock does not run, for waits that are the server's own, not the peer's.
/// </summary>
/// <remarks>
/// Touching is one timestamp read and one store, so a relay can do it on every read and write; the timer wakes up
/// at most once per timeout period and, when there was activity meanwhile, re-arms itself for the rest of the period.
/// <para>
/// Activity the owner cannot see as it happens (bytes a slow reader's kernel takes, a little at a time, while a
/// write of ours waits for room) is asked for with a <em>progress probe</em>: with one, the timer wakes every
/// <see cref="ProbesPerTimeout"/>th of the timeout, asks the probe whether anything moved since it last asked, and
/// counts a yes as activity at that moment. Idleness then means no activity and no progress for the whole timeout;
/// it is noticed at most one wake-up (an eighth of the timeout) late.
/// </para>
/// </remarks>
internal sealed class ActivityTimer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly Action _onIdle;
    private readonly Func<bool>? _progressed;
    private readonly TimeSpan _wakeEvery;
    private readonly ITimer? _timer;
    private long _lastActivity;
    private int _busy;
    private int _fired;

    /// <summary>Starts the timer; the first period starts now.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="timeout">How long without activity counts as idle; <see cref="Timeout.InfiniteTimeSpan"/> never fires.</param>
    /// <param name="onIdle">Called at most once, on a timer thread, when the timeout expires.</param>
    /// <param name="progressed">
    /// The progress probe, or null: called on a timer thread at every wake-up, it returns true when something moved
    /// since its previous call (its first call may answer true). It must not throw.
    /// </param>
    public ActivityTimer(TimeProvider time, TimeSpan timeout, Action onIdle, Func<bool>? progressed = null)
    {
        _time = time;
        _timeout = timeout;
        _onIdle = onIdle;
        _progressed = progressed;
        _wakeEvery = progressed is null || timeout == Timeout.InfiniteTimeSpan ? timeout : timeout / ProbesPerTimeout;
        _lastActivity = time.GetTimestamp();
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _timer = time.CreateTimer(static state => ((ActivityTimer)state!).OnTimer(), this, _wakeEvery, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>How many times per timeout period a timer with a progress probe wakes up to ask it.</summary>
    public const int ProbesPerTimeout = 8;

    /// <summary>Gets a value indicating whether the timer has fired.</summary>
    public bool HasFired => Volatile.Read(ref _fired) != 0;

    /// <summary>Records activity: the idle period restarts now.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    /// <summary>Stops the clock while the server itself is working (an admin command in the backend).</summary>
    public void EnterBusy() => Volatile.Write(ref _busy, 1);

    /// <summary>Restarts the clock after <see cref="EnterBusy"/>: a full period starts now.</summary>
    public void ExitBusy()
    {
        Touch();
        Volatile.Write(ref _busy, 0);
    }

    /// <inheritdoc />
    public void Dispose() => _timer?.Dispose();

    private void OnTimer()
    {
        // Change returns false once disposed, which is fine: the session or connection is over.
        if (Volatile.Read(ref _busy) != 0)
        {
            _timer!.Change(_timeout, Timeout.InfiniteTimeSpan);
            return;
        }

        var idleFor = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        if (_progressed is not null && _progressed())
        {
            // Something moved since the last wake-up, we cannot tell when: count it as now.
            Touch();
            idleFor = TimeSpan.Zero;
        }

        if (idleFor < _timeout)
        {
            // Activity since the timer was armed: wait for the rest of the period (with a probe, ask it again sooner).
            var rest = _timeout - idleFor;
            _timer!.Change(rest < _wakeEvery ? rest : _wakeEvery, Timeout.InfiniteTimeSpan);
            return;
        }

        if (Interlocked.Exchange(ref _fired, 1) == 0)
        {
            _onIdle();
        }
    }
}
