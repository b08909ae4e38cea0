using System.Reflection;
using Microsoft.Extensions.Logging;
using ProxyHost.Management;
using Socks.Core.Server;

namespace ProxyHost.Tests;

/// <summary>
/// The event-id table (<see cref="EventIds"/>) holds for every generated log method of socks5d, and socks5d's log,
/// where the engine's messages meet the host's, has no id twice.
/// </summary>
public sealed class EventIdTests
{
    private static readonly Assembly Host = typeof(McpManagementServer).Assembly;
    private static readonly Assembly Engine = typeof(SocksServer).Assembly;

    [Test]
    public void LoggerMessages_OfProxyHost_HaveDistinctEventIds()
    {
        var methods = LoggerMessages(Host);

        methods.Should().NotBeEmpty();
        Duplicates(methods).Should().BeEmpty("no two messages of one assembly may share an event id");
    }

    [Test]
    public void LoggerMessages_OfProxyHost_UseTheRangeOfTheirComponent()
    {
        var ranges = typeof(EventIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(EventIds.RangeSize))
            .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

        foreach (var method in LoggerMessages(Host))
        {
            ranges.Should().ContainKey(method.Component, "{0} needs a range in EventIds", method.Name);
            method.EventId.Should().BeInRange(
                Math.Max(1, ranges[method.Component]), ranges[method.Component] + EventIds.RangeSize - 1, "{0} is in {1}", method.Name, method.Component);
        }
    }

    [Test]
    public void LoggerMessages_OfSocks5dLog_HaveDistinctEventIdsAcrossEngineAndHost()
    {
        Duplicates([.. LoggerMessages(Host), .. LoggerMessages(Engine)]).Should().BeEmpty(
            "socks5d logs the engine's and the host's messages side by side");
    }

    private static IEnumerable<string> Duplicates(IEnumerable<(string Name, string Component, int EventId)> methods) =>
        methods.GroupBy(m => m.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}");

    /// <summary>Every method the logging source generator implements, with its id and its component (the folder below the root namespace).</summary>
    private static IReadOnlyList<(string Name, string Component, int EventId)> LoggerMessages(Assembly assembly)
    {
        var root = assembly == Host ? 1 : 2;
        return [.. assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (
                $"{x.Method.DeclaringType!.FullName}.{x.Method.Name}",
                x.Method.DeclaringType!.Namespace!.Split('.').ElementAtOrDefault(root) ?? string.Empty,
                x.Attribute!.EventId))];
    }
}
