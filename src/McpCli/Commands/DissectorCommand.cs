using System.Text.Json;
using Mcp.Protocol;

namespace McpCli.Commands;

/// <summary>
/// <c>dissector status|on|off</c>: GET_DISSECTOR (0x83) or SET_DISSECTOR (0x84), docs/mcp-protocol.md §13.4-§13.5;
/// prints the state the server reports.
/// </summary>
internal sealed class DissectorCommand(
    Func<CancellationToken, Task<McpClient>> connect, TextWriter stdout, TextWriter stderr, CommandSettings settings, bool? wanted)
    : ClientCommand<bool>(connect, stdout, stderr, settings)
{
    /// <inheritdoc />
    protected override string Verb => "dissector";

    /// <inheritdoc />
    protected override Task<bool> CallAsync(McpClient client, CancellationToken cancellationToken) => wanted is { } state
        ? client.SetDissectorAsync(state, cancellationToken)
        : client.GetDissectorAsync(cancellationToken);

    /// <inheritdoc />
    protected override void WriteText(bool result) =>
        Stdout.WriteLine((wanted is null ? "dissector is " : "dissector is now ") + (result ? "on" : "off"));

    /// <inheritdoc />
    protected override void WriteJson(bool result, Utf8JsonWriter json) => json.WriteBoolean("dissector", result);

    /// <inheritdoc />
    protected override string? DescribeStatus(McpStatus status) => status switch
    {
        // A server written from the memo alone (or a socks5d from before the extension): say what to use instead.
        McpStatus.CommandNotSupported =>
            $"the server does not support {(wanted is null ? "reading" : "setting")} the dissector state "
            + $"({McpNames.GetName(wanted is null ? McpCommand.GetDissector : McpCommand.SetDissector)} answered CMD_NOT_SUPPORTED); "
            + "'mcpctl toggle-dissector' works with every MCP server",
        McpStatus.Error when wanted is not null => "the server could not set the dissector state (ERROR)",
        _ => null,
    };
}
