using Socks.Core.Server;

namespace Socks.Core.Tests.Server;

public sealed class DescriptorLimitTests
{
    private const string Limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            1024                 4096                 files
        Max locked memory         8388608              8388608              bytes
        """;

    [Test]
    public void ParseSoftLimit_ProcLimitsText_ReturnsTheSoftOpenFilesLimit() =>
        DescriptorLimit.ParseSoftLimit(Limits).Should().Be(1024);

    [Test]
    public void ParseSoftLimit_Unlimited_ReturnsTheUnlimitedValue() =>
        DescriptorLimit.ParseSoftLimit("Max open files            unlimited            unlimited            files\n")
            .Should().Be(DescriptorLimit.UnlimitedSoftLimit);

    [TestCase("")]
    [TestCase("Max cpu time              unlimited            unlimited            seconds\n")]
    [TestCase("Max open files            lots                 4096                 files\n")]
    public void ParseSoftLimit_NoUsableLine_ReturnsNull(string text) =>
        DescriptorLimit.ParseSoftLimit(text).Should().BeNull();

    [TestCase(1024, 0, 480)]
    [TestCase(1024, 120, 420)]
    [TestCase(256, 120, 36)]
    [TestCase(20000, 120, 9908)]
    [TestCase(1048576, 120, 524196)]
    [TestCase(64, 120, 1)]
    public void MaxConnectionsFor_SoftLimitAndOpenDescriptors_LeavesAReserveAndCountsTwoPerSession(long softLimit, long open, int expected) =>
        DescriptorLimit.MaxConnectionsFor(softLimit, open).Should().Be(expected);

    [Test]
    public void CountOpenDescriptors_ThisProcess_CountsProcSelfFd()
    {
        using var extra = File.OpenRead("/proc/self/limits");

        var count = DescriptorLimit.CountOpenDescriptors();

        count.Should().BeGreaterThan(3);
        count.Should().BeLessThan(DescriptorLimit.ReadSoftLimit());
    }

    [Test]
    public void ReadSoftLimit_ThisProcess_MatchesProcSelfLimits() =>
        DescriptorLimit.ReadSoftLimit().Should().Be(DescriptorLimit.ParseSoftLimit(File.ReadAllText("/proc/self/limits")));
}
