namespace Tests.Common;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when a test calls <see cref="Advance"/>, so code that
/// waits through <c>Task.Delay(TimeSpan, TimeProvider, ...)</c>, <c>new CancellationTokenSource(TimeSpan, TimeProvider)</c>
/// or <see cref="TimeProvider.CreateTimer"/> can be tested without sleeping.
/// </summary>
/// <remarks>
/// Timers fire synchronously inside <see cref="Advance"/>, on the calling thread, in due-time order (creation
/// order for equal due times), with the clock set to each timer's due time while its callback runs. Timers created
/// or changed by a callback fire in the same <see cref="Advance"/> call if they fall due before its target.
/// A timer due now (due time zero) fires on the next <see cref="Advance"/>, including <c>Advance(TimeSpan.Zero)</c>.
/// Callbacks run outside the internal lock, so they may create, change and dispose timers.
/// One file shared by the test projects that need a manual clock (linked into each as <c>Support\ManualTimeProvider.cs</c>).
/// </remarks>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _sequence;

    public ManualTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public ManualTimeProvider(DateTimeOffset start) => _now = start;

    /// <summary>Timers that are scheduled to fire (created, not disposed, not stopped, not yet fired if one-shot).</summary>
    public int ActiveTimerCount
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.DueAt is not null);
            }
        }
    }

    /// <summary>
    /// When each scheduled timer will next fire, earliest first: lets a test check a schedule deterministically
    /// instead of advancing the clock and waiting for something not to happen.
    /// </summary>
    public IReadOnlyList<DateTimeOffset> ScheduledDueTimes
    {
        get
        {
            lock (_lock)
            {
                return [.. _timers.Where(t => t.DueAt is not null).Select(t => t.DueAt!.Value).Order()];
            }
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        lock (_lock)
        {
            _timers.Add(timer);
            Schedule(timer, dueTime, period);
        }

        return timer;
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + delta;
        }

        while (true)
        {
            ManualTimer? due = null;
            lock (_lock)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueAt is { } at && at <= target
                        && (due is null || at < due.DueAt || (at == due.DueAt && timer.Order < due.Order)))
                    {
                        due = timer;
                    }
                }

                if (due is null)
                {
                    _now = target;
                    return;
                }

                _now = due.DueAt!.Value;
                if (due.Period > TimeSpan.Zero)
                {
                    due.DueAt = _now + due.Period;
                    due.Order = ++_sequence;
                }
                else
                {
                    due.DueAt = null;
                }
            }

            due.Callback(due.State);
        }
    }

    private void Schedule(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        timer.DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : _now + dueTime;
        timer.Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
        timer.Order = ++_sequence;
    }

    private bool Change(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (_lock)
        {
            if (!_timers.Contains(timer))
            {
                return false;
            }

            Schedule(timer, dueTime, period);
            return true;
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan Period { get; set; }

        public long Order { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.Change(this, dueTime, period);

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
