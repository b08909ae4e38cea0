using System.Reflection;
using CommandLine;
using McpCli.Options;

namespace McpCli.Cli;

/// <summary>The verbs and what their attributes say, in the order help lists them.</summary>
internal static class VerbCatalog
{
    /// <summary>Every verb's options type.</summary>
    public static readonly Type[] All =
    [
        typeof(MetricsOptions),
        typeof(ListUsersOptions),
        typeof(AddUserOptions),
        typeof(RemoveUserOptions),
        typeof(ToggleDissectorOptions),
        typeof(DissectorOptions),
        typeof(UsersOptions),
        typeof(SetLimitsOptions),
        typeof(WatchOptions),
    ];

    /// <summary>The verb name (<c>add-user</c>) of an options type.</summary>
    public static string NameOf(Type verb) => verb.GetCustomAttribute<VerbAttribute>()!.Name;

    /// <summary>The options type of a verb name, or null if there is no such verb.</summary>
    public static Type? Find(string name) =>
        Array.Find(All, t => string.Equals(NameOf(t), name, StringComparison.Ordinal));

    /// <summary>The visible positional arguments of a verb, in position order.</summary>
    public static IEnumerable<ValueAttribute> Values(Type verb) =>
        verb.GetProperties()
            .Select(p => p.GetCustomAttribute<ValueAttribute>())
            .OfType<ValueAttribute>()
            .Where(v => !v.Hidden)
            .OrderBy(v => v.Index);

    /// <summary><c>mcpctl add-user [OPTIONS] USER [PASSWORD]</c>.</summary>
    public static string UsageLine(Type verb)
    {
        var values = Values(verb).Select(v => v.Required ? v.MetaName : $"[{v.MetaName}]");
        return string.Join(' ', ["mcpctl", NameOf(verb), "[OPTIONS]", .. values]);
    }
}
