using Mcp.Protocol;
using McpCli.Output;

namespace McpCli.Tests.Output;

public sealed class MetricsTableTests
{
    [Test]
    public void Write_AllZero_NarrowValueColumnAndPlainBytes()
    {
        using var output = new StringWriter { NewLine = "\n" };

        MetricsTable.Write(default, output);

        output.ToString().Should().Be(
            "Historical connections  0  connections\n" +
            "Concurrent connections  0  connections\n" +
            "Bytes transferred       0  bytes\n" +
            "Successful connections  0  connections\n" +
            "Failed connections      0  connections\n" +
            "Client bytes            0  bytes\n");
    }

    [Test]
    public void Write_MaximumValues_RightAlignsTwentyDigits()
    {
        using var output = new StringWriter { NewLine = "\n" };

        MetricsTable.Write(new McpMetrics(ulong.MaxValue, 1, ulong.MaxValue, 2, 3, 4096), output);

        output.ToString().Split('\n').Should().StartWith(
        [
            "Historical connections  18446744073709551615  connections",
            "Concurrent connections                     1  connections",
            "Bytes transferred       18446744073709551615  bytes (16.0 EiB)",
            "Successful connections                     2  connections",
            "Failed connections                         3  connections",
            "Client bytes                            4096  bytes (4.0 KiB)",
        ]);
    }
}
