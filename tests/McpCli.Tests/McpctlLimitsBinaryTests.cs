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

    /// <summary>A one-user USER_STATS / FLEET_USER_STATS page: alice with these counters, no limits.</summary>
    private static byte[] AlicePage(uint active, ulong sessions, ulong up, ulong down, ulong lastLogin, ulong denials)
    {
        var payload = new byte[3 + 1 + 5 + 81];
        payload[0] = 1;
        payload[2] = 1;
        payload[3] = 5;
        "alice"u8.CopyTo(payload.AsSpan(4));
        var fields = payload.AsSpan(9);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(fields, active);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(fields[4..], sessions);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(fields[12..], up);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(fields[20..], down);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(fields[28..], lastLogin);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(fields[36..], denials);
        return payload;
    }

    private static readonly byte[] NodePage = AlicePage(1, 14, 2048, 1_048_576, 1_764_000_000_000, 1);

    private static readonly byte[] FleetPage = AlicePage(3, 41, 6144, 3_145_728, 1_764_000_005_000, 2);

    private static readonly string[] SingleNodeTable =
    [
        "USER   ACTIVE  SESSIONS  UP       DOWN     LAST LOGIN (UTC)     DENIED  MAX  RATE UP  RATE DOWN  QUOTA",
        "alice  1       14        2.0 KiB  1.0 MiB  2025-11-24 16:00:00  1       -    -        -          -",
    ];

    [Test]
    public async Task Users_FleetNode_SendsUserStatsThenFleetUserStats_FleetTotalsWithThisNodesShare()
    {
        await using var server = FakeMcpServer.Start(request => request[1] == 0x85 ? Reply.Ok(FleetPage) : Reply.Ok(NodePage));

        var result = await Mcpctl.RunAsync(Args(server, "users"));

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Select(Hex.Format).Should().Equal("01 80 00 01 00", "01 85 00 01 00");
        result.StdoutLines.Should().Equal(
            "USER   ACTIVE (NODE)  SESSIONS (NODE)  UP (NODE)          DOWN (NODE)        LAST LOGIN (UTC)     DENIED (NODE)  MAX  RATE UP  RATE DOWN  QUOTA",
            "alice  3 (1)          41 (14)          6.0 KiB (2.0 KiB)  3.0 MiB (1.0 MiB)  2025-11-24 16:00:05  2 (1)          -    -        -          -");
        result.Stderr.Should().BeEmpty();
    }

    [Test]
    public async Task Users_FleetNode_Json_HasNodeAndFleetObjects_AndKeepsTheSingleNodeFields()
    {
        await using var server = FakeMcpServer.Start(request => request[1] == 0x85 ? Reply.Ok(FleetPage) : Reply.Ok(NodePage));

        var result = await Mcpctl.RunAsync(Args(server, "users", "--json"));

        result.ExitCode.Should().Be(0, result.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var alice = json.RootElement.GetProperty("users")[0];
        alice.GetProperty("sessions").GetInt64().Should().Be(14);
        alice.GetProperty("node").GetProperty("sessions").GetInt64().Should().Be(14);
        alice.GetProperty("node").GetProperty("bytesDown").GetInt64().Should().Be(1_048_576);
        alice.GetProperty("fleet").GetProperty("activeSessions").GetInt64().Should().Be(3);
        alice.GetProperty("fleet").GetProperty("sessions").GetInt64().Should().Be(41);
        alice.GetProperty("fleet").GetProperty("bytesUp").GetInt64().Should().Be(6144);
        alice.GetProperty("fleet").GetProperty("bytesDown").GetInt64().Should().Be(3_145_728);
        alice.GetProperty("fleet").GetProperty("lastLogin").GetInt64().Should().Be(1_764_000_005_000);
        alice.GetProperty("fleet").GetProperty("denials").GetInt64().Should().Be(2);
    }

    [Test]
    public async Task Users_FleetUserStatsNotSupported_ExactlyTheSingleNodeOutput()
    {
        await using var server = FakeMcpServer.Start(request => request[1] == 0x85 ? Reply.Status(0x02) : Reply.Ok(NodePage));

        var text = await Mcpctl.RunAsync(Args(server, "users"));
        var json = await Mcpctl.RunAsync(Args(server, "users", "--json"));

        text.ExitCode.Should().Be(0, text.Stderr);
        text.StdoutLines.Should().Equal(SingleNodeTable);
        text.Stderr.Should().BeEmpty();
        json.Stdout.Should().Be("{\"users\":[{\"user\":\"alice\",\"activeSessions\":1,\"sessions\":14,\"bytesUp\":2048,\"bytesDown\":1048576,\"lastLogin\":1764000000000,\"denials\":1,"
            + "\"limits\":{\"maxSessions\":0,\"rateUp\":0,\"rateDown\":0,\"quota\":0,\"period\":\"none\"},\"quotaUsed\":0}]}\n");
    }

    [Test]
    public async Task Users_FleetUserStatsError_WarnsAndShowsThisNode_Exit0()
    {
        await using var server = FakeMcpServer.Start(request => request[1] == 0x85 ? Reply.Status(0x01) : Reply.Ok(NodePage));

        var result = await Mcpctl.RunAsync(Args(server, "users"));

        result.ExitCode.Should().Be(0);
        result.StdoutLines.Should().Equal(SingleNodeTable);
        result.Stderr.Should().StartWith("mcpctl: warning: the fleet's totals are unavailable (the server answered ERROR to FLEET_USER_STATS");
        result.StderrLines.Should().HaveCount(1);
    }
}
