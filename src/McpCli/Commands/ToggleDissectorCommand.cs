using System.Text.Json;
using Mcp.Protocol;

namespace McpCli.Commands;

/// <summary><c>toggle-dissector</c>: TOGGLE_DISECTOR (memo §4.5); prints the state the server reports.</summary>
internal sealed class ToggleDissectorCommand(Func<CancellationToken, Task<McpClient>> connect, TextWriter stdout, TextWriter stderr, CommandSettings settings)
    : ClientCommand<bool>(connect, stdout, stderr, settings)
{
    /// <inheritdoc />
    protected override string Verb => "toggle-dissector";

    /// <inheritdoc />
    protected override Task<bool> CallAsync(McpClient client, CancellationToken cancellationToken) =>
        client.ToggleDissectorAsync(cancellationToken);

    /// <inheritdoc />
    protected override void WriteText(bool result) => Stdout.WriteLine(result ? "dissector is now on" : "dissector is now off");

    /// <inheritdoc />
    protected override void WriteJson(bool result, Utf8JsonWriter json) => json.WriteBoolean("dissector", result);
}
