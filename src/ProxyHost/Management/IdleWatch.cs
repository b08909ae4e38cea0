namespace ProxyHost.Management;

/// <summary>
/// Calls back once when an admin connection made no progress for a whole timeout. Progress is recorded with
/// <see cref="Touch"/>; while the connection waits for the backend (<see cref="EnterBusy"/>/<see cref="ExitBusy"/>)
/// the clock does not run, because that wait is the server's, not the client's.
/// </summary>
/// <remarks>
/// Touching is one timestamp read and one store; the timer wakes up at most once per timeout period and, when there
/// was progress meanwhile, re-arms itself for the rest of the period.
/// </remarks>
internal sealed class IdleWatch : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly Action _onIdle;
    private readonly ITimer? _timer;
    private long _lastProgress;
    private int _busy;
    private int _fired;

    /// <summary>Starts watching; the first period starts now.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="timeout">How long without progress counts as idle; <see cref="Timeout.InfiniteTimeSpan"/> never fires.</param>
    /// <param name="onIdle">Called at most once, on a timer thread.</param>
    public IdleWatch(TimeProvider time, TimeSpan timeout, Action onIdle)
    {
        _time = time;
        _timeout = timeout;
        _onIdle = onIdle;
        _lastProgress = time.GetTimestamp();
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _timer = time.CreateTimer(static state => ((IdleWatch)state!).OnTimer(), this, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Records progress: the idle period restarts now.</summary>
    public void Touch() => Volatile.Write(ref _lastProgress, _time.GetTimestamp());

    /// <summary>Stops the clock while the server itself is working on a request.</summary>
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
        if (Volatile.Read(ref _busy) != 0)
        {
            // Change returns false once disposed, which is fine: the connection is over.
            _timer!.Change(_timeout, Timeout.InfiniteTimeSpan);
            return;
        }

        var idleFor = _time.GetElapsedTime(Volatile.Read(ref _lastProgress));
        if (idleFor < _timeout)
        {
            _timer!.Change(_timeout - idleFor, Timeout.InfiniteTimeSpan);
            return;
        }

        if (Interlocked.Exchange(ref _fired, 1) == 0)
        {
            _onIdle();
        }
    }
}
