using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using McpCli.Tests.Support;

namespace McpCli.Tests;

/// <summary>
/// The real mcpctl binary against a hand-written MCP server: the bytes each verb puts on the wire,
/// what it prints, and every exit code.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class McpctlBinaryTests
{
    private static string[] Args(FakeMcpServer server, params string[] args) =>
        [.. args, "--port", server.Port.ToString(CultureInfo.InvariantCulture)];

    [Test]
    public async Task Metrics_OkResponse_SendsGetMetricsAndPrintsAlignedTable()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(Reply.MetricsPayload(1234, 3, 123456789, 1230, 1, 61728394)));

        var result = await Mcpctl.RunAsync(Args(server, "metrics"));

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Select(Hex.Format).Should().Equal("01 00 00 00");
        result.StdoutLines.Should().Equal(
            "Historical connections       1234  connections",
            "Concurrent connections          3  connections",
            "Bytes transferred       123456789  bytes (117.7 MiB)",
            "Successful connections       1230  connections",
            "Failed connections              1  connections",
            "Client bytes             61728394  bytes (58.9 MiB)");
        result.Stderr.Should().BeEmpty();
    }

    [Test]
    public async Task Metrics_Json_PrintsOneObjectWithEveryCounter()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(Reply.MetricsPayload(1, 2, ulong.MaxValue, 4, 5, 6)));

        var result = await Mcpctl.RunAsync(Args(server, "metrics", "--json"));

        result.ExitCode.Should().Be(0, result.Stderr);
        result.StdoutLines.Should().HaveCount(1);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        root.GetProperty("historicalConnections").GetUInt64().Should().Be(1);
        root.GetProperty("concurrentConnections").GetUInt64().Should().Be(2);
        root.GetProperty("bytesTransferred").GetUInt64().Should().Be(ulong.MaxValue);
        root.GetProperty("successfulConnections").GetUInt64().Should().Be(4);
        root.GetProperty("failedConnections").GetUInt64().Should().Be(5);
        root.GetProperty("clientBytes").GetUInt64().Should().Be(6);
        root.EnumerateObject().Should().HaveCount(6);
    }

    [Test]
    public async Task ListUsers_MixedNames_SendsListUsersAndPrintsOnePerLineEscapingUnsafeBytes()
    {
        byte[][] users = [Encoding.UTF8.GetBytes("alice"), Encoding.UTF8.GetBytes("José"), [0x62, 0x1B, 0x5B, 0x33, 0x31, 0x6D], [0x63, 0xFF]];
        await using var server = FakeMcpServer.Start(Reply.Ok(Reply.UsersPayload(users)));

        var result = await Mcpctl.RunAsync(Args(server, "list-users"));

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Select(Hex.Format).Should().Equal("01 01 00 00");
        result.StdoutLines.Should().Equal("alice", "José", @"b\x1B[31m", @"c\xFF");
        result.Stderr.Should().BeEmpty();
    }

    [Test]
    public async Task ListUsers_Json_PrintsUsersArray()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(Reply.UsersPayload(Encoding.UTF8.GetBytes("alice"), Encoding.UTF8.GetBytes("bob"))));

        var result = await Mcpctl.RunAsync(Args(server, "list-users", "--json"));

        result.ExitCode.Should().Be(0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("users").EnumerateArray().Select(u => u.GetString()).Should().Equal("alice", "bob");
    }

    [Test]
    public async Task ListUsers_NoUsers_PrintsNothingOnStdoutAndExitsZero()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x00));

        var result = await Mcpctl.RunAsync(Args(server, "list-users"));

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().BeEmpty();
        result.StderrLines.Should().Equal("no users");
    }

    [Test]
    public async Task AddUser_PasswordArgument_SendsExactAddUserFrame()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok());

        var result = await Mcpctl.RunAsync(Args(server, "add-user", "alice", "secret"));

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Select(Hex.Format).Should().Equal("01 02 00 0D 05 61 6C 69 63 65 06 73 65 63 72 65 74");
        result.StdoutLines.Should().Equal("user 'alice' added");
    }

    [Test]
    public async Task AddUser_PasswordStdin_SendsFirstLineWithoutLineBreak()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok());

        var result = await Mcpctl.RunAsync(Args(server, "add-user", "--password-stdin", "alice"), stdin: "secret\r\nsecond line\n");

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Select(Hex.Format).Should().Equal("01 02 00 0D 05 61 6C 69 63 65 06 73 65 63 72 65 74");
        result.StdoutLines.Should().Equal("user 'alice' added");
    }

    [Test]
    public async Task AddUser_JsonWithOptionsBeforeVerb_PrintsOkObject()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok());

        var result = await Mcpctl.RunAsync(["-P", server.Port.ToString(CultureInfo.InvariantCulture), "--json", "add-user", "ñandú", "pässword"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Should().ContainSingle().Which.Should().Equal(
            [0x01, 0x02, 0x00, 0x12, 0x07, .. Encoding.UTF8.GetBytes("ñandú"), 0x09, .. Encoding.UTF8.GetBytes("pässword")]);
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("ok").GetBoolean().Should().BeTrue();
        json.RootElement.GetProperty("user").GetString().Should().Be("ñandú");
        json.RootElement.GetProperty("action").GetString().Should().Be("added");
        result.Stdout.Should().MatchRegex("^[\\x20-\\x7E]*\n$", "JSON output is ASCII-only");
    }

    [Test]
    public async Task RemoveUser_Ok_SendsExactRemoveUserFrame()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok());

        var result = await Mcpctl.RunAsync(Args(server, "remove-user", "alice"));

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Select(Hex.Format).Should().Equal("01 03 00 06 05 61 6C 69 63 65");
        result.StdoutLines.Should().Equal("user 'alice' removed");
    }

    [Test]
    public async Task ToggleDissector_StateOn_SendsToggleAndPrintsOn()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x01));

        var result = await Mcpctl.RunAsync(Args(server, "toggle-dissector"));

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Select(Hex.Format).Should().Equal("01 04 00 00");
        result.StdoutLines.Should().Equal("dissector is now on");
    }

    [Test]
    public async Task ToggleDissector_JsonStateOff_PrintsDissectorFalse()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x00));

        var result = await Mcpctl.RunAsync(Args(server, "toggle-dissector", "--json"));

        result.ExitCode.Should().Be(0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("dissector").GetBoolean().Should().BeFalse();
    }

    [TestCase(0x01, new[] { "metrics" }, 1, "mcpctl: the server reported an error (ERROR)")]
    [TestCase(0x02, new[] { "toggle-dissector" }, 2, "mcpctl: the server does not support toggle-dissector (CMD_NOT_SUPPORTED)")]
    [TestCase(0x03, new[] { "remove-user", "bob" }, 3, "mcpctl: user 'bob' does not exist (USER_NOT_FOUND)")]
    [TestCase(0x04, new[] { "add-user", "alice", "pw" }, 4, "mcpctl: user 'alice' already exists (USER_EXISTS)")]
    [TestCase(0x05, new[] { "add-user", "alice", "pw" }, 5, "mcpctl: cannot add user 'alice': the server's user limit is reached (USER_LIMIT)")]
    public async Task AnyVerb_NonOkStatus_ExitsWithStatusByteAndOneLine(int status, string[] args, int exitCode, string message)
    {
        await using var server = FakeMcpServer.Start(Reply.Status((byte)status));

        var result = await Mcpctl.RunAsync(Args(server, args));

        result.ExitCode.Should().Be(exitCode);
        result.StderrLines.Should().Equal(message);
        result.Stdout.Should().BeEmpty();
    }

    [Test]
    public async Task Metrics_ConnectionRefused_Exits69WithReason()
    {
        var port = UnusedPort();

        var result = await Mcpctl.RunAsync(["metrics", "--port", port.ToString(CultureInfo.InvariantCulture)]);

        result.ExitCode.Should().Be(69);
        result.StderrLines.Should().Equal($"mcpctl: cannot connect to 127.0.0.1:{port}: connection refused");
        result.Stdout.Should().BeEmpty();
    }

    [Test]
    public async Task Metrics_ServerClosesMidResponse_Exits69()
    {
        // LEN says 48 bytes, 10 of them arrive, then the server hangs up.
        var frame = Reply.Frame(0x00, Reply.MetricsPayload(1, 2, 3, 4, 5, 6));
        await using var server = FakeMcpServer.Start(new Reply(frame[..14], HangUp: true));

        var result = await Mcpctl.RunAsync(Args(server, "metrics"));

        result.ExitCode.Should().Be(69);
        result.StderrLines.Should().Equal(
            $"mcpctl: connection to 127.0.0.1:{server.Port} lost: the server closed the connection in the middle of the response to GET_METRICS (14 bytes of it received)");
        result.Stdout.Should().BeEmpty();
    }

    [Test]
    public async Task Metrics_MalformedResponse_Exits69()
    {
        // GET_METRICS must carry 48 bytes; this one carries 3.
        await using var server = FakeMcpServer.Start(Reply.Ok(0x01, 0x02, 0x03));

        var result = await Mcpctl.RunAsync(Args(server, "metrics"));

        result.ExitCode.Should().Be(69);
        result.StderrLines.Should().ContainSingle().Which.Should().Be($"mcpctl: protocol error from 127.0.0.1:{server.Port}: malformed response to GET_METRICS: A successful GET_METRICS response carries exactly 48 bytes, but LEN is 3");
        result.Stdout.Should().BeEmpty();
    }

    [Test]
    public async Task Metrics_ServerNeverAnswers_TimesOutWithExit69()
    {
        await using var server = FakeMcpServer.Start(Reply.Never);

        var result = await Mcpctl.RunAsync(Args(server, "metrics", "--timeout", "1"));

        result.ExitCode.Should().Be(69);
        result.StderrLines.Should().Equal($"mcpctl: timed out after 1 s waiting for a response from 127.0.0.1:{server.Port}");
        server.Requests.Select(Hex.Format).Should().Equal("01 00 00 00");
    }

    [TestCase("--help")]
    [TestCase("help")]
    public async Task Help_TopLevel_PrintsUsageWithExitCodesOnStdout(string help)
    {
        var result = await Mcpctl.RunAsync([help]);

        result.ExitCode.Should().Be(0);
        result.Stderr.Should().BeEmpty();
        result.Stdout.Should().Contain("Usage: mcpctl [OPTIONS] VERB [ARGUMENTS]")
            .And.Contain("toggle-dissector")
            .And.Contain("--timeout")
            .And.Contain("Exit codes:")
            .And.Contain("69  cannot connect, connection lost, timed out, or malformed response");
    }

    [Test]
    public async Task Help_AddUserVerb_PrintsVerbUsageAndPasswordWarningOnStdout()
    {
        var result = await Mcpctl.RunAsync(["add-user", "--help"]);

        result.ExitCode.Should().Be(0);
        result.Stderr.Should().BeEmpty();
        result.Stdout.Should().Contain("Usage: mcpctl add-user [OPTIONS] USER [PASSWORD]")
            .And.Contain("--password-stdin")
            .And.Contain("ps, shell")
            .And.Contain("Exit codes:");
    }

    [Test]
    public async Task Version_Flag_PrintsVersionOnStdout()
    {
        var result = await Mcpctl.RunAsync(["--version"]);

        result.ExitCode.Should().Be(0);
        result.StdoutLines.Should().Equal("mcpctl 0.1.0");
    }

    [Test]
    public async Task UnknownVerb_Exits64WithProblemAndUsageOnStderr()
    {
        var result = await Mcpctl.RunAsync(["frobnicate"]);

        result.ExitCode.Should().Be(64);
        result.Stdout.Should().BeEmpty();
        result.StderrLines.Should().Equal(
            "mcpctl: unknown verb 'frobnicate'",
            "Usage: mcpctl [OPTIONS] VERB [ARGUMENTS]",
            "Verbs: metrics, list-users, add-user, remove-user, toggle-dissector, dissector, users, set-limits, watch",
            "Try 'mcpctl --help' for more information.");
    }

    [TestCase(new[] { "metrics", "--port", "0" }, "mcpctl: --port must be between 1 and 65535, got 0")]
    [TestCase(new[] { "metrics", "--timeout", "0" }, "mcpctl: --timeout must be more than 0 and at most 86400 seconds, got 0")]
    [TestCase(new[] { "add-user", "alice" }, "mcpctl: no password given and standard input is not a terminal: use --password-stdin to read it from standard input")]
    public async Task BadArguments_Exit64WithProblemAndVerbUsage(string[] args, string message)
    {
        var result = await Mcpctl.RunAsync(args);

        result.ExitCode.Should().Be(64);
        result.Stdout.Should().BeEmpty();
        result.StderrLines[0].Should().Be(message);
        result.StderrLines[1].Should().StartWith($"Usage: mcpctl {args[0]} [OPTIONS]");
    }

    // A port that was just free: bind it, read it, release it.
    private static int UnusedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
