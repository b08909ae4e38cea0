using System.Globalization;
using Mcp.Protocol;

namespace McpCli.Output;

/// <summary>The human form of GET_METRICS (memo §4.1): one aligned row per counter, in wire order.</summary>
internal static class MetricsTable
{
    /// <summary>Writes the table: name, right-aligned value, unit, and for bytes a binary-unit size.</summary>
    public static void Write(McpMetrics metrics, TextWriter output)
    {
        (string Name, ulong Value, bool IsBytes)[] rows =
        [
            ("Historical connections", metrics.HistoricalConnections, false),
            ("Concurrent connections", metrics.ConcurrentConnections, false),
            ("Bytes transferred", metrics.BytesTransferred, true),
            ("Successful connections", metrics.SuccessfulConnections, false),
            ("Failed connections", metrics.FailedConnections, false),
            ("Client bytes", metrics.ClientBytes, true),
        ];

        var nameWidth = rows.Max(r => r.Name.Length);
        var valueWidth = rows.Max(r => Format(r.Value).Length);
        foreach (var (name, value, isBytes) in rows)
        {
            var line = name.PadRight(nameWidth) + "  " + Format(value).PadLeft(valueWidth) + "  ";
            if (isBytes)
            {
                var human = ByteSize.Humanize(value);
                line += human is null ? "bytes" : $"bytes ({human})";
            }
            else
            {
                line += "connections";
            }

            output.WriteLine(line);
        }
    }

    private static string Format(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
