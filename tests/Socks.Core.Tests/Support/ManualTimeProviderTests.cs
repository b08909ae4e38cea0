namespace Socks.Core.Tests.Support;

public class ManualTimeProviderTests
{
    [Test]
    public void Advance_BeforeDueTime_DoesNotFire()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromMilliseconds(250), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromMilliseconds(249));

        fired.Should().Be(0);
        time.ActiveTimerCount.Should().Be(1);
    }

    [Test]
    public void Advance_PastDueTime_FiresOnceWithClockAtDueTime()
    {
        var time = new ManualTimeProvider();
        var start = time.GetUtcNow();
        var firedAt = new List<DateTimeOffset>();
        using var timer = time.CreateTimer(_ => firedAt.Add(time.GetUtcNow()), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(5));

        firedAt.Should().Equal(start + TimeSpan.FromSeconds(1));
        time.GetUtcNow().Should().Be(start + TimeSpan.FromSeconds(5));
        time.ActiveTimerCount.Should().Be(0);
    }

    [Test]
    public void Advance_PeriodicTimer_FiresEveryPeriod()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        time.Advance(TimeSpan.FromSeconds(3.5));

        fired.Should().Be(3);
    }

    [Test]
    public void Advance_TimersDueInOrder_FireInDueOrderThenCreationOrder()
    {
        var time = new ManualTimeProvider();
        var order = new List<string>();
        using var late = time.CreateTimer(_ => order.Add("late"), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        using var earlyA = time.CreateTimer(_ => order.Add("earlyA"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var earlyB = time.CreateTimer(_ => order.Add("earlyB"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(2));

        order.Should().Equal("earlyA", "earlyB", "late");
    }

    [Test]
    public void Advance_TimerCreatedByCallback_FiresInSameAdvanceWhenDue()
    {
        var time = new ManualTimeProvider();
        var fired = new List<string>();
        ITimer? inner = null;
        using var outer = time.CreateTimer(
            _ =>
            {
                fired.Add("outer");
                inner = time.CreateTimer(_ => fired.Add("inner"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
            },
            null,
            TimeSpan.FromSeconds(1),
            Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(2));

        fired.Should().Equal("outer", "inner");
        inner!.Dispose();
    }

    [Test]
    public void Dispose_ScheduledTimer_NeverFires()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        timer.Dispose();
        time.Advance(TimeSpan.FromSeconds(2));

        fired.Should().Be(0);
        timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan).Should().BeFalse();
    }

    [Test]
    public void Change_ToInfinite_StopsTimer()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan).Should().BeTrue();
        time.Advance(TimeSpan.FromSeconds(2));

        fired.Should().Be(0);
        time.ActiveTimerCount.Should().Be(0);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task TaskDelay_WithManualTime_CompletesOnlyWhenAdvanced(CancellationToken cancellationToken)
    {
        var time = new ManualTimeProvider();
        var delay = Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);

        time.Advance(TimeSpan.FromMilliseconds(249));
        delay.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(1));

        await delay.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    [Test]
    public void CancellationTokenSource_WithManualTime_CancelsOnlyWhenAdvanced()
    {
        var time = new ManualTimeProvider();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10), time);

        time.Advance(TimeSpan.FromSeconds(9));
        cts.IsCancellationRequested.Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(1));

        cts.IsCancellationRequested.Should().BeTrue();
    }

    [Test]
    public void ScheduledDueTimes_ActiveTimers_ListedEarliestFirst()
    {
        var time = new ManualTimeProvider();
        var start = time.GetUtcNow();
        using var late = time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => { }, null, TimeSpan.FromMilliseconds(250), Timeout.InfiniteTimeSpan);
        using var stopped = time.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        time.ScheduledDueTimes.Should().Equal(start + TimeSpan.FromMilliseconds(250), start + TimeSpan.FromSeconds(10));
    }
}
