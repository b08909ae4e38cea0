using CommandLine;

namespace McpCli.Options;

/// <summary><c>mcpctl set-limits USER [--sessions N] [--rate R | --rate-up R --rate-down R] [--quota Q/PERIOD]</c>: SET_LIMITS (docs/mcp-protocol.md §13.3).</summary>
[Verb("set-limits", HelpText = "Set a user's limits (MCP extension SET_LIMITS); limits not given stay as they are.")]
internal sealed class SetLimitsOptions : CommonOptions
{
    [Value(0, MetaName = "USER", Required = true, HelpText = nameof(HelpTexts.User), ResourceType = typeof(HelpTexts))]
    public string User { get; set; } = "";

    [Option("sessions", MetaValue = "N", HelpText = "Sessions the user may have open at once; 0 or none removes the limit.")]
    public string? Sessions { get; set; }

    [Option("rate", MetaValue = "RATE", HelpText = "Bandwidth each way, shared by the user's sessions: 10MiB/s, 500kB/s, 1048576; 0 or none removes it.")]
    public string? Rate { get; set; }

    [Option("rate-up", MetaValue = "RATE", HelpText = "Bandwidth client to target only (like --rate).")]
    public string? RateUp { get; set; }

    [Option("rate-down", MetaValue = "RATE", HelpText = "Bandwidth target to client only (like --rate).")]
    public string? RateDown { get; set; }

    [Option("quota", MetaValue = "SIZE/PERIOD", HelpText = "Traffic (both ways) per UTC day or month: 50GiB/month, 2GB/day; 0 or none removes it.")]
    public string? Quota { get; set; }

    [Value(1, Hidden = true)]
    public override IEnumerable<string> Extra { get; set; } = [];
}
