using CommandLine;
using Mcp.Protocol;

namespace McpCli.Options;

/// <summary>Options every verb takes: where the MCP server is, how long to wait, output format.</summary>
internal abstract class CommonOptions
{
    /// <summary>Default MCP port (memo §2).</summary>
    public const int DefaultPort = McpConstants.DefaultPort;

    /// <summary>Default <c>--timeout</c> in seconds.</summary>
    public const double DefaultTimeoutSeconds = 5;

    /// <summary>Largest accepted <c>--timeout</c>: one day.</summary>
    public const double MaxTimeoutSeconds = 86_400;

    [Option('H', "host", Default = McpConstants.DefaultHost, MetaValue = "HOST", HelpText = "MCP server host name or address.")]
    public string Host { get; set; } = McpConstants.DefaultHost;

    [Option('P', "port", Default = DefaultPort, MetaValue = "PORT", HelpText = "MCP server port, 1-65535.")]
    public int Port { get; set; } = DefaultPort;

    [Option("timeout", Default = DefaultTimeoutSeconds, MetaValue = "SECONDS",
        HelpText = "Give up after this many seconds; covers connecting and the answer.")]
    public double TimeoutSeconds { get; set; } = DefaultTimeoutSeconds;

    [Option("json", HelpText = "Print one JSON object on stdout instead of text.")]
    public bool Json { get; set; }

    /// <summary>Arguments left over after the verb's own positional values; any is a usage error.</summary>
    public abstract IEnumerable<string> Extra { get; set; }
}
