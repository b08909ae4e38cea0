using System.Reflection;
using Microsoft.Extensions.Logging;
using Socks.Core.Server;

namespace Socks.Core.Tests;

/// <summary>The event-id table (<see cref="EventIds"/>) holds for every generated log method of Socks.Core.</summary>
public sealed class EventIdTests
{
    private static readonly Assembly Engine = typeof(SocksServer).Assembly;

    [Test]
    public void LoggerMessages_OfSocksCore_HaveDistinctEventIds()
    {
        var methods = LoggerMessages(Engine);

        methods.Should().NotBeEmpty();
        methods.GroupBy(m => m.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}")
            .Should().BeEmpty("no two messages of one assembly may share an event id");
    }

    [Test]
    public void LoggerMessages_OfSocksCore_UseTheRangeOfTheirComponent()
    {
        var ranges = Ranges(typeof(EventIds));

        foreach (var method in LoggerMessages(Engine))
        {
            ranges.Should().ContainKey(method.Component, "{0} needs a range in EventIds", method.Name);
            method.EventId.Should().BeInRange(
                Math.Max(1, ranges[method.Component]), ranges[method.Component] + EventIds.RangeSize - 1, "{0} is in {1}", method.Name, method.Component);
        }
    }

    [Test]
    public void EventIds_Ranges_DoNotOverlap()
    {
        var firsts = Ranges(typeof(EventIds)).Values.Distinct().Order().ToArray();

        firsts.Zip(firsts.Skip(1)).Should().OnlyContain(pair => pair.Second - pair.First >= EventIds.RangeSize);
    }

    /// <summary>Every method the logging source generator implements, with its id and its component (the folder below the root namespace).</summary>
    internal static IReadOnlyList<(string Name, string Component, int EventId)> LoggerMessages(Assembly assembly) =>
        [.. assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (
                $"{x.Method.DeclaringType!.FullName}.{x.Method.Name}",
                x.Method.DeclaringType!.Namespace!.Split('.').ElementAtOrDefault(2) ?? string.Empty,
                x.Attribute!.EventId))];

    /// <summary>The named first ids of an <c>EventIds</c> table.</summary>
    internal static IReadOnlyDictionary<string, int> Ranges(Type table) =>
        table.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(EventIds.RangeSize))
            .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);
}
