using Socks.Core.Limits;
using Socks.Core.Metrics;

namespace Socks.Core.Tests.Limits;

/// <summary>The shared token bucket of one user and direction: who holds it, when it is replaced and disposed.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class DirectionThrottleTests
{
    [Test]
    public void HoldThrottles_SameRate_SharesOneBucket_NewRateReplacesIt()
    {
        var user = new UserActivity("u"u8.ToArray());

        user.HoldThrottles(0, 1000, out var up1, out var down1);
        user.HoldThrottles(0, 1000, out var up2, out var down2);
        user.HoldThrottles(0, 2000, out _, out var down3);

        up1.Should().BeNull("an unlimited direction has no throttle");
        up2.Should().BeNull();
        down2.Should().BeSameAs(down1, "the user's sessions share the bucket");
        down3.Should().NotBeSameAs(down1);
        down3!.Rate.Should().Be(2000);

        // The retired bucket lives while sessions hold it, then is disposed (no new hold).
        down1!.Release();
        down1.TryHold().Should().BeTrue("one session still holds it");
        down1.Release();
        down2!.Release();
        down1.TryHold().Should().BeFalse("retired and let go by every session: disposed");
    }

    [Test]
    public void RetireThrottles_UnheldBuckets_AreDisposed()
    {
        var user = new UserActivity("u"u8.ToArray());
        user.HoldThrottles(5000, 5000, out var up, out var down);
        up!.Release();
        down!.Release();

        user.RetireThrottles();

        up.TryHold().Should().BeFalse();
        down.TryHold().Should().BeFalse();
        user.HasThrottles.Should().BeFalse();
    }

    [Test]
    public async Task ThrottleAsync_MoreThanTheBucket_WaitsAndIsCancelledByTheSession()
    {
        var throttle = new DirectionThrottle(500);
        throttle.TryHold();
        using var closed = new CancellationTokenSource();

        // Below 1000 B/s the bucket refills each second: 500 B/s holds 1000 tokens (two periods), so 1000 bytes go at once.
        throttle.ChunkLimit.Should().Be(500);
        throttle.ThrottleAsync(500, closed.Token).IsCompleted.Should().BeTrue();
        throttle.ThrottleAsync(500, closed.Token).IsCompleted.Should().BeTrue();
        var waiting = throttle.ThrottleAsync(500, closed.Token);
        waiting.IsCompleted.Should().BeFalse("the bucket is empty until the next refill");

        await closed.CancelAsync();

        var wait = async () => await waiting;
        await wait.Should().ThrowAsync<OperationCanceledException>();
        throttle.Release();
        throttle.Retire();
    }
}
