using CommandLine;

namespace McpCli.Options;

/// <summary><c>mcpctl list-users</c>: LIST_USERS (memo §4.2).</summary>
[Verb("list-users", HelpText = "List the proxy's users, one per line.")]
internal sealed class ListUsersOptions : CommonOptions
{
    [Value(0, Hidden = true)]
    public override IEnumerable<string> Extra { get; set; } = [];
}
