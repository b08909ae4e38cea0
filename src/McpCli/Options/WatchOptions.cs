using CommandLine;

namespace McpCli.Options;

/// <summary><c>mcpctl watch</c>: a live dashboard of GET_METRICS (memo §4.1) and, when the server has it, USER_STATS.</summary>
[Verb("watch", HelpText = "Live dashboard in the terminal: counters, rates and per-user traffic, refreshed every second; q or Ctrl-C quits.")]
internal sealed class WatchOptions : CommonOptions
{
    [Value(0, Hidden = true)]
    public override IEnumerable<string> Extra { get; set; } = [];
}
