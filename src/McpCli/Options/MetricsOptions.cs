using CommandLine;

namespace McpCli.Options;

/// <summary><c>mcpctl metrics</c>: GET_METRICS (memo §4.1).</summary>
[Verb("metrics", HelpText = "Show the server's connection and traffic counters.")]
internal sealed class MetricsOptions : CommonOptions
{
    [Value(0, Hidden = true)]
    public override IEnumerable<string> Extra { get; set; } = [];
}
