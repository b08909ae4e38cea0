using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Tests.Common;

/// <summary>
/// The generated logging methods of an assembly, read by reflection from their <see cref="LoggerMessageAttribute"/>,
/// and the range table (<c>EventIds</c>) they are checked against. Shared by the event-id tests of each project.
/// </summary>
public static class LoggerMessages
{
    /// <summary>Every <c>[LoggerMessage]</c> method of <paramref name="assembly"/>, with its id and its component.</summary>
    /// <param name="assembly">The assembly.</param>
    /// <param name="rootSegments">How many namespace segments the root namespace has: the next one names the component (the folder).</param>
    /// <returns>The methods.</returns>
    public static IReadOnlyList<(string Name, string Component, int EventId)> Of(Assembly assembly, int rootSegments) =>
        [.. assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (
                $"{x.Method.DeclaringType!.FullName}.{x.Method.Name}",
                x.Method.DeclaringType!.Namespace!.Split('.').ElementAtOrDefault(rootSegments) ?? string.Empty,
                x.Attribute!.EventId))];

    /// <summary>The ids used by more than one method, each with the methods that use it.</summary>
    /// <param name="methods">The methods.</param>
    /// <returns>One line per shared id; empty when every id is distinct.</returns>
    public static IEnumerable<string> Duplicates(IEnumerable<(string Name, string Component, int EventId)> methods) =>
        methods.GroupBy(m => m.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}");

    /// <summary>The named first ids of an <c>EventIds</c> table (its <c>const int</c> fields other than <c>RangeSize</c>).</summary>
    /// <param name="table">The table type.</param>
    /// <returns>Component name to first id.</returns>
    public static IReadOnlyDictionary<string, int> Ranges(Type table) =>
        table.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != "RangeSize")
            .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

    /// <summary>Asserts that every method's id lies in its component's range of <paramref name="table"/>.</summary>
    /// <param name="methods">The methods.</param>
    /// <param name="table">The <c>EventIds</c> table.</param>
    /// <param name="rangeSize">The width of a range.</param>
    public static void ShouldUseTheirRanges(IEnumerable<(string Name, string Component, int EventId)> methods, Type table, int rangeSize)
    {
        var ranges = Ranges(table);
        foreach (var method in methods)
        {
            ranges.Should().ContainKey(method.Component, "{0} needs a range in {1}", method.Name, table.FullName);
            method.EventId.Should().BeInRange(
                Math.Max(1, ranges[method.Component]), ranges[method.Component] + rangeSize - 1, "{0} is in {1}", method.Name, method.Component);
        }
    }
}
