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

    /// <summary>The prefix of <c>-H unix:PATH</c>, the same spelling as socks5d's <c>-L unix:PATH</c>.</summary>
    public const string UnixPrefix = "unix:";

    // No Default: null tells "not given" apart from the default, so that --socket with -H or -P is an error.
    [Option('H', "host", MetaValue = "HOST", HelpText = nameof(HelpTexts.Host), ResourceType = typeof(HelpTexts))]
    public string? Host { get; set; }

    [Option('P', "port", MetaValue = "PORT", HelpText = nameof(HelpTexts.Port), ResourceType = typeof(HelpTexts))]
    public int? Port { get; set; }

    [Option("socket", MetaValue = "PATH", HelpText = "Connect to the Unix socket PATH (socks5d -L unix:PATH) instead of TCP (default $MCPCTL_SOCKET).")]
    public string? Socket { get; set; }

    [Option("timeout", Default = DefaultTimeoutSeconds, MetaValue = "SECONDS",
        HelpText = "Give up after this many seconds; covers connecting and the answer.")]
    public double TimeoutSeconds { get; set; } = DefaultTimeoutSeconds;

    [Option("json", HelpText = "Print one JSON object on stdout instead of text.")]
    public bool Json { get; set; }

    /// <summary>Arguments left over after the verb's own positional values; any is a usage error.</summary>
    public abstract IEnumerable<string> Extra { get; set; }
}
