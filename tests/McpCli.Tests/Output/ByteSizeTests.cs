using McpCli.Output;

namespace McpCli.Tests.Output;

public sealed class ByteSizeTests
{
    [TestCase(0UL, null)]
    [TestCase(1023UL, null)]
    [TestCase(1024UL, "1.0 KiB")]
    [TestCase(1536UL, "1.5 KiB")]
    [TestCase(1048524UL, "1023.9 KiB")]
    [TestCase(1048575UL, "1.0 MiB")]
    [TestCase(123456789UL, "117.7 MiB")]
    [TestCase(1073741824UL, "1.0 GiB")]
    [TestCase(5497558138880UL, "5.0 TiB")]
    [TestCase(ulong.MaxValue, "16.0 EiB")]
    public void Humanize_Bytes_BinaryUnitsOneDecimal(ulong bytes, string? expected)
    {
        ByteSize.Humanize(bytes).Should().Be(expected);
    }
}
