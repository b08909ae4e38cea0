using CommandLine;

namespace McpCli.Options;

/// <summary><c>mcpctl users</c>: USER_STATS (docs/mcp-protocol.md §13.1), every user's statistics and limits; FLEET_USER_STATS (§13.6) on a fleet node.</summary>
[Verb("users", HelpText = "Show every user's live statistics and limits (MCP extension USER_STATS); on a fleet node, the fleet's totals.")]
internal sealed class UsersOptions : CommonOptions
{
    [Value(0, Hidden = true)]
    public override IEnumerable<string> Extra { get; set; } = [];
}
