using ProxyHost.Management;
using Socks.Core;

namespace ProxyHost.Tests;

/// <summary>
/// The event-id table (<see cref="EventIds"/>) holds for every generated log method of socks5d, and socks5d's log,
/// where the engine's messages meet the host's, has no id twice.
/// </summary>
public sealed class EventIdTests
{
    private static readonly IReadOnlyList<(string Name, string Component, int EventId)> Host =
        LoggerMessages.Of(typeof(McpManagementServer).Assembly, rootSegments: 1);

    private static readonly IReadOnlyList<(string Name, string Component, int EventId)> Engine =
        LoggerMessages.Of(typeof(SocksServer).Assembly, rootSegments: 2);

    [Test]
    public void LoggerMessages_OfProxyHost_HaveDistinctEventIds()
    {
        Host.Should().NotBeEmpty();
        LoggerMessages.Duplicates(Host).Should().BeEmpty("no two messages of one assembly may share an event id");
    }

    [Test]
    public void LoggerMessages_OfProxyHost_UseTheRangeOfTheirComponent()
    {
        LoggerMessages.ShouldUseTheirRanges(Host, typeof(EventIds), EventIds.RangeSize);
    }

    [Test]
    public void LoggerMessages_OfSocks5dLog_HaveDistinctEventIdsAcrossEngineAndHost()
    {
        LoggerMessages.Duplicates([.. Host, .. Engine]).Should().BeEmpty("socks5d logs the engine's and the host's messages side by side");
    }
}
