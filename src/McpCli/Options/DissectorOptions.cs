using CommandLine;

namespace McpCli.Options;

/// <summary>
/// <c>mcpctl dissector on|off|status</c>: the extensions SET_DISSECTOR (0x84) and GET_DISSECTOR (0x83),
/// docs/mcp-protocol.md §13.4-§13.5.
/// </summary>
[Verb("dissector", HelpText = "Show the credential dissectors' state (status) or set it (on, off).")]
internal sealed class DissectorOptions : CommonOptions
{
    /// <summary>The ACTION operand's words, in the order help lists them.</summary>
    public static readonly string[] Actions = ["status", "on", "off"];

    [Value(0, MetaName = "ACTION", Required = true, HelpText = "status (read the state, change nothing), on or off.")]
    public string Action { get; set; } = "";

    [Value(1, Hidden = true)]
    public override IEnumerable<string> Extra { get; set; } = [];
}
