using System.Globalization;
using McpCli.Tests.Support;

namespace McpCli.Tests;

/// <summary>The real mcpctl's users and set-limits verbs against a hand-written server: wire bytes, messages, exit codes.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class McpctlLimitsBinaryTests
{
    private const string AliceLimits = "00 00 00 02 00 00 00 00 00 A0 00 00 00 00 00 00 00 A0 00 00 00 00 00 0C 80 00 00 00 02";

    private static string[] Args(FakeMcpServer server, params string[] args) =>
        [.. args, "--port", server.Port.ToString(CultureInfo.InvariantCulture)];

    [TestCase("users")]
    [TestCase("set-limits", "alice", "--sessions", "2")]
    public async Task OlderServer_CmdNotSupported_ClearMessageExit2(params string[] verb)
    {
        await using var server = FakeMcpServer.Start(Reply.Status(0x02));

        var result = await Mcpctl.RunAsync(Args(server, verb));

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().MatchRegex("^mcpctl: the server does not support per-user (statistics|limits) \\(.* MCP extensions? this server lacks\\) \\(CMD_NOT_SUPPORTED\\)\n$");
        result.Stdout.Should().BeEmpty();
    }

    [Test]
    public async Task SetLimits_SendsGetLimitsThenSetLimitsKeepingWhatIsNotGiven()
    {
        // GET_LIMITS answers sessions 1, up/down 10 MiB/s, no quota.
        var current = Hex.Bytes("00 00 00 01 00 00 00 00 00 A0 00 00 00 00 00 00 00 A0 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
        await using var server = FakeMcpServer.Start(request => request[1] == 0x81 ? Reply.Ok(current) : Reply.Ok());

        var result = await Mcpctl.RunAsync(Args(server, "set-limits", "alice", "--sessions", "2", "--quota", "50GiB/month"));

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Select(Hex.Format).Should().Equal(
            "01 81 00 06 05 61 6C 69 63 65",
            "01 82 00 23 05 61 6C 69 63 65 " + AliceLimits);
        result.StdoutLines.Should().Equal("limits of user 'alice': at most 2 sessions, up 10.0 MiB/s, down 10.0 MiB/s, quota 50.0 GiB/month");
    }

    [TestCase("--rate", "500kB/s", "00 00 00 00 00 00 00 00 00 07 A1 20 00 00 00 00 00 07 A1 20")]
    [TestCase("--rate-up", "1048576", "00 00 00 00 00 00 00 00 00 10 00 00 00 00 00 00 00 00 00 00")]
    [TestCase("--rate-down", "1.5MiB", "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 18 00 00")]
    public async Task SetLimits_Rates_EncodedInBytesPerSecond(string option, string value, string sessionsAndRates)
    {
        await using var server = FakeMcpServer.Start(request => request[1] == 0x81 ? Reply.Ok(new byte[37]) : Reply.Ok());

        var result = await Mcpctl.RunAsync(Args(server, "set-limits", "bob", option, value));

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Select(Hex.Format).Last().Should().Be("01 82 00 21 03 62 6F 62 " + sessionsAndRates + " 00 00 00 00 00 00 00 00 00");
    }

    [Test]
    public async Task SetLimits_NoneRemovesALimit()
    {
        await using var server = FakeMcpServer.Start(request => request[1] == 0x81 ? Reply.Ok(Hex.Bytes(AliceLimits + " 00 00 00 00 00 00 00 07")) : Reply.Ok());

        var result = await Mcpctl.RunAsync(Args(server, "set-limits", "alice", "--quota", "none", "--sessions", "0"));

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Select(Hex.Format).Last().Should().Be(
            "01 82 00 23 05 61 6C 69 63 65 00 00 00 00 00 00 00 00 00 A0 00 00 00 00 00 00 00 A0 00 00 00 00 00 00 00 00 00 00 00");
    }

    [TestCase(new[] { "--rate", "10XB/s" }, "mcpctl: --rate: '10XB/s' is not a rate (bytes per second with an optional unit and /s: 10MiB/s, 500kB/s, 1048576; or none)")]
    [TestCase(new[] { "--rate-up", "-5" }, "mcpctl: --rate-up: '-5' is not a rate (bytes per second with an optional unit and /s: 10MiB/s, 500kB/s, 1048576; or none)")]
    [TestCase(new[] { "--rate", "0.5B/s" }, "mcpctl: --rate: '0.5B/s' is not a rate (bytes per second with an optional unit and /s: 10MiB/s, 500kB/s, 1048576; or none)")]
    [TestCase(new[] { "--quota", "50GiB" }, "mcpctl: --quota: '50GiB' is not a quota (a size and a period, day or month: 50GiB/month, 2GB/day; or none)")]
    [TestCase(new[] { "--quota", "50GiB/week" }, "mcpctl: --quota: '50GiB/week' is not a quota (a size and a period, day or month: 50GiB/month, 2GB/day; or none)")]
    [TestCase(new[] { "--sessions", "two" }, "mcpctl: --sessions: 'two' is not a session count (a whole number from 0 to 2147483647, or none)")]
    [TestCase(new[] { "--sessions", "2147483648" }, "mcpctl: --sessions: '2147483648' is not a session count (a whole number from 0 to 2147483647, or none)")]
    public async Task SetLimits_BadValue_OneLineExit64NothingSent(string[] options, string expected)
    {
        await using var server = FakeMcpServer.Start(Reply.Ok());

        var result = await Mcpctl.RunAsync(Args(server, ["set-limits", "alice", .. options]));

        result.ExitCode.Should().Be(64);
        result.Stderr.Should().Be(expected + "\n");
        server.Requests.Should().BeEmpty();
        Mcpctl.AssertNoStackTrace(result);
    }

    [Test]
    public async Task SetLimits_RateAndRateUp_UsageError()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok());

        var result = await Mcpctl.RunAsync(Args(server, "set-limits", "alice", "--rate", "1MiB/s", "--rate-up", "2MiB/s"));

        result.ExitCode.Should().Be(64);
        result.StderrLines[0].Should().Be("mcpctl: give either --rate or --rate-up/--rate-down, not both");
        server.Requests.Should().BeEmpty();
    }

    [Test]
    public async Task Users_MalformedPage_ProtocolErrorExit69()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x01, 0x00, 0x01, 0x00));

        var result = await Mcpctl.RunAsync(Args(server, "users"));

        result.ExitCode.Should().Be(69);
        result.Stderr.Should().StartWith("mcpctl: protocol error from 127.0.0.1:").And.Contain("ULEN is 0");
    }
}
