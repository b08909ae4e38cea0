using Socks.Shared;

namespace Socks.Core.Tests.Shared;

public sealed class ActivityTimerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);

    [Test]
    public void Timer_NoActivity_FiresOnceAtTheTimeout()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;
        using var timer = new ActivityTimer(clock, Timeout, () => fired++);

        clock.Advance(Timeout - TimeSpan.FromSeconds(1));
        fired.Should().Be(0);
        clock.Advance(TimeSpan.FromSeconds(1));
        fired.Should().Be(1);
        clock.Advance(Timeout * 3);
        fired.Should().Be(1);
        timer.HasFired.Should().BeTrue();
    }

    [Test]
    public void Timer_Touched_FiresOneTimeoutAfterTheLastActivity()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;
        using var timer = new ActivityTimer(clock, Timeout, () => fired++);

        clock.Advance(TimeSpan.FromMinutes(10));
        timer.Touch();
        clock.Advance(TimeSpan.FromMinutes(14));
        fired.Should().Be(0, "the last activity was 14 minutes ago");
        clock.Advance(TimeSpan.FromMinutes(1));
        fired.Should().Be(1);
    }

    [Test]
    public void Timer_Disposed_DoesNotFire()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;
        var timer = new ActivityTimer(clock, Timeout, () => fired++);

        timer.Dispose();
        clock.Advance(Timeout * 2);

        fired.Should().Be(0);
        clock.ActiveTimerCount.Should().Be(0);
    }

    [Test]
    public void Timer_Infinite_NeverArmsATimer()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;
        using var timer = new ActivityTimer(clock, System.Threading.Timeout.InfiniteTimeSpan, () => fired++);

        clock.ActiveTimerCount.Should().Be(0);
        clock.Advance(TimeSpan.FromDays(365));
        fired.Should().Be(0);
    }

    [Test]
    public void Timer_Busy_DoesNotFireWhileTheServerWorks()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;
        using var timer = new ActivityTimer(clock, Timeout, () => fired++);

        timer.EnterBusy();
        clock.Advance(Timeout * 3);
        fired.Should().Be(0, "a wait that is the server's own is not idleness");
        timer.ExitBusy();
        clock.Advance(Timeout - TimeSpan.FromSeconds(1));
        fired.Should().Be(0, "leaving busy starts a full period");
        clock.Advance(TimeSpan.FromSeconds(1));
        fired.Should().Be(1);
    }

    [Test]
    public void Timer_ProbeReportsProgress_NeverFires()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;
        var asked = 0;
        using var timer = new ActivityTimer(clock, Timeout, () => fired++, () => ++asked > 0);

        clock.Advance(Timeout * 10);

        fired.Should().Be(0, "bytes moved at every wake-up although nothing touched the timer");
        asked.Should().Be(10 * ActivityTimer.ProbesPerTimeout, "the probe is asked every eighth of the timeout");
    }

    [Test]
    public void Timer_ProbeStopsReportingProgress_FiresATimeoutAfterTheLastWakeUpThatSawProgress()
    {
        var clock = new ManualTimeProvider();
        var wakeUp = Timeout / ActivityTimer.ProbesPerTimeout;
        var fired = 0;
        var moving = true;
        using var timer = new ActivityTimer(clock, Timeout, () => fired++, () => moving);

        clock.Advance(Timeout * 2);
        moving = false;
        clock.Advance(Timeout - wakeUp);
        fired.Should().Be(0, "the last progress was seen {0} ago", Timeout - wakeUp);
        clock.Advance(wakeUp);
        fired.Should().Be(1, "nothing moved for a whole timeout");
    }

    [Test]
    public void Timer_ProbeWithoutProgress_FiresAtTheTimeoutLikeWithoutProbe()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;
        using var timer = new ActivityTimer(clock, Timeout, () => fired++, () => false);

        clock.Advance(Timeout - TimeSpan.FromSeconds(1));
        fired.Should().Be(0);
        clock.Advance(TimeSpan.FromSeconds(1));
        fired.Should().Be(1);
    }

    [Test]
    public void Timer_ProbeAndTouches_TouchesStillCount()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;
        using var timer = new ActivityTimer(clock, Timeout, () => fired++, () => false);

        for (var i = 0; i < 10; i++)
        {
            clock.Advance(Timeout / 2);
            timer.Touch();
        }

        fired.Should().Be(0);
        clock.Advance(Timeout);
        fired.Should().Be(1);
    }
}
