using Socks.Shared;

namespace Socks.Core.Tests.Shared;

public sealed class WarningThrottleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    [Test]
    public void TryWarn_FirstCall_Warns()
    {
        new WarningThrottle(new ManualTimeProvider(), Interval).TryWarn().Should().BeTrue();
    }

    [Test]
    public void TryWarn_WithinTheInterval_StaysQuietThenWarnsAgain()
    {
        var clock = new ManualTimeProvider();
        var throttle = new WarningThrottle(clock, Interval);
        throttle.TryWarn().Should().BeTrue();

        clock.Advance(Interval - TimeSpan.FromMilliseconds(1));
        throttle.TryWarn().Should().BeFalse("the last warning was less than an interval ago");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        throttle.TryWarn().Should().BeTrue();
        throttle.TryWarn().Should().BeFalse();
    }

    [Test]
    public void TryWarn_ManyThreadsAtOnce_ExactlyOneWarns()
    {
        var throttle = new WarningThrottle(new ManualTimeProvider(), Interval);
        var warned = 0;

        Parallel.For(0, 64, _ =>
        {
            if (throttle.TryWarn())
            {
                Interlocked.Increment(ref warned);
            }
        });

        warned.Should().Be(1);
    }
}
