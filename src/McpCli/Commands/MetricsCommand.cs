using System.Text.Json;
using Mcp.Protocol;
using McpCli.Output;

namespace McpCli.Commands;

/// <summary><c>metrics</c>: GET_METRICS (memo §4.1), printed as a table or JSON.</summary>
internal sealed class MetricsCommand(Func<CancellationToken, Task<McpClient>> connect, TextWriter stdout, TextWriter stderr, CommandSettings settings)
    : ClientCommand<McpMetrics>(connect, stdout, stderr, settings)
{
    /// <inheritdoc />
    protected override string Verb => "metrics";

    /// <inheritdoc />
    protected override Task<McpMetrics> CallAsync(McpClient client, CancellationToken cancellationToken) =>
        client.GetMetricsAsync(cancellationToken);

    /// <inheritdoc />
    protected override void WriteText(McpMetrics result) => MetricsTable.Write(result, Stdout);

    /// <inheritdoc />
    protected override void WriteJson(McpMetrics result, Utf8JsonWriter json)
    {
        json.WriteNumber("historicalConnections", result.HistoricalConnections);
        json.WriteNumber("concurrentConnections", result.ConcurrentConnections);
        json.WriteNumber("bytesTransferred", result.BytesTransferred);
        json.WriteNumber("successfulConnections", result.SuccessfulConnections);
        json.WriteNumber("failedConnections", result.FailedConnections);
        json.WriteNumber("clientBytes", result.ClientBytes);
    }
}
