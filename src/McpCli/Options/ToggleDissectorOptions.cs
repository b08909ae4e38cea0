using CommandLine;

namespace McpCli.Options;

/// <summary><c>mcpctl toggle-dissector</c>: TOGGLE_DISECTOR (memo §4.5).</summary>
[Verb("toggle-dissector", HelpText = "Switch the credential dissectors (POP3, HTTP, FTP, IMAP, SMTP) on or off; prints the new state.")]
internal sealed class ToggleDissectorOptions : CommonOptions
{
    [Value(0, Hidden = true)]
    public override IEnumerable<string> Extra { get; set; } = [];
}
