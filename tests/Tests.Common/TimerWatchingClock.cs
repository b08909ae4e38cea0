using System.Threading.Channels;

namespace Tests.Common;

/// <summary>
/// Passes everything to a <see cref="ManualTimeProvider"/> and reports each timer created, with its due time, so a
/// test can see that a loop waits on a timer instead of spinning. Shared like <see cref="ManualTimeProvider"/>.
/// </summary>
/// <param name="clock">The manual clock behind it.</param>
public sealed class TimerWatchingClock(ManualTimeProvider clock) : TimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override long GetTimestamp() => clock.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = clock.CreateTimer(callback, state, dueTime, period);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Completes when a timer not yet taken by <see cref="TryTakeCreated"/> has been scheduled.</summary>
    public Task WhenCreatedAsync() => _created.Reader.WaitToReadAsync().AsTask();

    /// <summary>Takes the due time of the oldest timer created and not yet taken, if any.</summary>
    public bool TryTakeCreated(out TimeSpan dueTime) => _created.Reader.TryRead(out dueTime);
}
