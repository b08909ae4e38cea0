using Mcp.Protocol;
using McpCli.Commands;

namespace McpCli.Tests.Commands;

[CancelAfter(30_000)]
public sealed class ClientCommandTests
{
    [Test]
    public async Task RunAsync_ConnectNeverCompletes_TimesOutWhileConnecting()
    {
        // A connector that ignores its token, like a SYN to a black hole that nobody cancels:
        // the timeout must still bound the run.
        var never = new TaskCompletionSource<McpClient>();
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var settings = new CommandSettings("192.0.2.1", 8080, TimeSpan.FromSeconds(0.25), Json: false);
        var command = new MetricsCommand(_ => never.Task, stdout, stderr, settings);

        var code = await command.RunAsync();

        code.Should().Be(ExitCodes.Unavailable);
        stderr.ToString().Should().Be("mcpctl: timed out after 0.25 s connecting to 192.0.2.1:8080\n");
        stdout.ToString().Should().BeEmpty();
    }

    [Test]
    public void Endpoint_Ipv6Literal_IsBracketed()
    {
        new CommandSettings("::1", 8080, TimeSpan.FromSeconds(5), Json: false).Endpoint.Should().Be("[::1]:8080");
        new CommandSettings("localhost", 9, TimeSpan.FromSeconds(5), Json: false).Endpoint.Should().Be("localhost:9");
    }

    [TestCase(McpStatus.Error, 1)]
    [TestCase(McpStatus.CommandNotSupported, 2)]
    [TestCase(McpStatus.UserNotFound, 3)]
    [TestCase(McpStatus.UserExists, 4)]
    [TestCase(McpStatus.UserLimit, 5)]
    public void ForStatus_DefinedStatus_ExitCodeIsTheStatusByte(McpStatus status, int exitCode)
    {
        ExitCodes.ForStatus(status).Should().Be(exitCode).And.Be((int)status);
    }

    [Test]
    public void ForStatus_OkOrUndefined_HasNoStatusExitCode()
    {
        ExitCodes.ForStatus(McpStatus.Ok).Should().BeNull();
        ExitCodes.ForStatus((McpStatus)0x09).Should().BeNull();
    }
}
