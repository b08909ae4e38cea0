using Socks.Core.Dissectors;

namespace Socks.Core.Tests.Dissectors;

public class DissectorSwitchTests
{
    [Test]
    public void Toggle_FromOn_ReturnsNewStateEachTime()
    {
        var sw = new DissectorSwitch();

        sw.Enabled.Should().BeTrue();
        sw.Toggle().Should().BeFalse();
        sw.Enabled.Should().BeFalse();
        sw.Toggle().Should().BeTrue();
        sw.Enabled.Should().BeTrue();
    }

    [Test]
    public void Constructor_Disabled_StartsOff()
    {
        new DissectorSwitch(enabled: false).Enabled.Should().BeFalse();
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Toggle_ConcurrentEvenNumberOfTimes_EndsWhereItStarted()
    {
        var sw = new DissectorSwitch();
        var onCount = 0;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_001; i++)
            {
                if (sw.Toggle())
                {
                    Interlocked.Increment(ref onCount);
                }
            }
        }))).WaitAsync(TimeSpan.FromSeconds(30));

        // 40004 toggles from "on": every toggle to "on" follows one to "off", so exactly half say "on".
        sw.Enabled.Should().BeTrue();
        onCount.Should().Be(20_002);
    }

    [Test]
    public void Generation_ChangesOnlyWhenSwitchedOn()
    {
        var sw = new DissectorSwitch(enabled: false);
        var start = sw.Generation;

        sw.Enabled = false;
        sw.Generation.Should().Be(start);
        sw.Enabled = true;
        sw.Generation.Should().Be(start + 1);
        sw.Enabled = true;
        sw.Generation.Should().Be(start + 1);
        sw.Toggle();
        sw.Generation.Should().Be(start + 1);
        sw.Toggle();
        sw.Generation.Should().Be(start + 2);
        sw.Enabled.Should().BeTrue();
    }
}
