namespace Socks.Core.Tests;

/// <summary>The event-id table (<see cref="EventIds"/>) holds for every generated log method of Socks.Core.</summary>
public sealed class EventIdTests
{
    private static readonly IReadOnlyList<(string Name, string Component, int EventId)> Methods =
        LoggerMessages.Of(typeof(SocksServer).Assembly, rootSegments: 2);

    [Test]
    public void LoggerMessages_OfSocksCore_HaveDistinctEventIds()
    {
        Methods.Should().NotBeEmpty();
        LoggerMessages.Duplicates(Methods).Should().BeEmpty("no two messages of one assembly may share an event id");
    }

    [Test]
    public void LoggerMessages_OfSocksCore_UseTheRangeOfTheirComponent()
    {
        LoggerMessages.ShouldUseTheirRanges(Methods, typeof(EventIds), EventIds.RangeSize);
    }

    [Test]
    public void EventIds_Ranges_DoNotOverlap()
    {
        var firsts = LoggerMessages.Ranges(typeof(EventIds)).Values.Distinct().Order().ToArray();

        firsts.Zip(firsts.Skip(1)).Should().OnlyContain(pair => pair.Second - pair.First >= EventIds.RangeSize);
    }
}
