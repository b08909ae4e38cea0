using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Mcp.Protocol;
using McpCli.Cli;
using McpCli.Commands;
using McpCli.Tests.Support;

namespace McpCli.Tests;

/// <summary>
/// mcpctl's entry point run in-process (real sockets, string streams): the usage-error matrix,
/// password input, and output details that would cost a process launch each.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class AppTests
{
    internal static readonly string Long256 = new('a', 256);

    // Port 1 on loopback refuses: a usage error that wrongly reached the network would exit 69, not 64.
    private static IEnumerable<TestCaseData> UsageErrors()
    {
        yield return Case([], "no verb given", verbUsage: null);
        yield return Case(["-H"], "option '-H' needs a value", verbUsage: null);
        yield return Case(["--bogus", "metrics"], "unknown option '--bogus'", "metrics");
        yield return Case(["metrics", "-P"], "option '-P' needs a value", "metrics");
        yield return Case(["metrics", "--port", "--json"], "option '--port' needs a value", "metrics");
        yield return Case(["metrics", "--timeout"], "option '--timeout' needs a value", "metrics");
        yield return Case(["metrics", "--port", "x"], "invalid value for '--port': expected a port number 1-65535", "metrics");
        yield return Case(["metrics", "--timeout", "soon"], "invalid value for '--timeout': expected a number of seconds", "metrics");
        yield return Case(["metrics", "--port", "65536"], "--port must be between 1 and 65535, got 65536", "metrics");
        yield return Case(["metrics", "--port", "-1"], "--port must be between 1 and 65535, got -1", "metrics");
        yield return Case(["metrics", "-P", "1", "--timeout", "-1"], "--timeout must be more than 0 and at most 86400 seconds, got -1", "metrics");
        yield return Case(["metrics", "-P", "1", "--timeout", "NaN"], "--timeout must be more than 0 and at most 86400 seconds, got NaN", "metrics");
        yield return Case(["metrics", "-P", "1", "--timeout", "86401"], "--timeout must be more than 0 and at most 86400 seconds, got 86401", "metrics");
        yield return Case(["metrics", "-P", "1", "--host", ""], "--host must not be empty", "metrics");
        yield return Case(["metrics", "--bogus"], "unknown option '--bogus'", "metrics");
        yield return Case(["metrics", "-x"], "unknown option '-x'", "metrics");
        yield return Case(["metrics", "-P", "1", "-P", "2"], "option '--port' given more than once", "metrics");
        yield return Case(["metrics", "-P", "1", "extra"], "unexpected argument 'extra'", "metrics");
        yield return Case(["list-users", "-P", "1", "x\u001b"], "unexpected argument 'x\\x1B'", "list-users");
        yield return Case(["toggle-dissector", "-P", "1", "on"], "unexpected argument 'on'", "toggle-dissector");
        yield return Case(["remove-user", "-P", "1"], "missing argument USER", "remove-user");
        yield return Case(["remove-user", "-P", "1", ""], "the user name must not be empty", "remove-user");
        yield return Case(["remove-user", "-P", "1", Long256], "the user name is 256 bytes in UTF-8; the limit is 255", "remove-user");
        yield return Case(["remove-user", "-P", "1", new string('é', 128)], "the user name is 256 bytes in UTF-8; the limit is 255", "remove-user");
        yield return Case(["remove-user", "-P", "1", "alice", "bob"], "unexpected argument 'bob'", "remove-user");
        yield return Case(["add-user", "-P", "1"], "missing argument USER", "add-user");
        yield return Case(["add-user", "-P", "1", "", "pw"], "the user name must not be empty", "add-user");
        yield return Case(["add-user", "-P", "1", Long256, "pw"], "the user name is 256 bytes in UTF-8; the limit is 255", "add-user");
        yield return Case(["add-user", "-P", "1", "alice", ""], "the password must not be empty", "add-user");
        yield return Case(["add-user", "-P", "1", "alice", Long256], "the password is 256 bytes in UTF-8; the limit is 255", "add-user");
        yield return Case(["add-user", "-P", "1", "alice", "pw", "extra"], "unexpected argument 'extra'", "add-user");
        yield return Case(["add-user", "-P", "1", "alice", "pw", "--password-stdin"], "give the password either as PASSWORD or with --password-stdin, not both", "add-user");
        yield return Case(["add-user", "-P", "1", "alice"], "no password given and standard input is not a terminal: use --password-stdin to read it from standard input", "add-user");
        yield return Case(["add-user", "-P", "1", "--password-stdin", "alice"], "--password-stdin: standard input is empty; expected the password on its first line", "add-user");
        yield return Case(["metrics", "--socket"], "option '--socket' needs a value", "metrics");
        yield return Case(["metrics", "--socket", "/run/mcp.sock", "-H", "127.0.0.1"], "give either --socket or --host, not both", "metrics");
        yield return Case(["metrics", "--socket", "/run/mcp.sock", "-P", "8080"], "--port does not apply to a Unix socket", "metrics");
        yield return Case(["metrics", "-H", "unix:/run/mcp.sock", "--port=8080"], "--port does not apply to a Unix socket", "metrics");
        yield return Case(["metrics", "-H", "unix:/run/a.sock", "--socket", "/run/b.sock"], "give the Unix socket either with --socket or with -H unix:PATH, not both", "metrics");
        yield return Case(["metrics", "--socket", ""], "the Unix socket path must not be empty", "metrics");
        yield return Case(["metrics", "-H", "unix:"], "the Unix socket path must not be empty", "metrics");
        yield return Case(["metrics", "--socket", "/" + new string('s', 107)], "the Unix socket path is 108 bytes; the limit is 107", "metrics");
        yield return Case(["help", "nope"], "unknown verb 'nope'", verbUsage: null);
        yield return Case(["nope", "--help"], "unknown verb 'nope'", verbUsage: null);

        static TestCaseData Case(string[] args, string problem, string? verbUsage) =>
            new TestCaseData(args, problem, verbUsage).SetArgDisplayNames(string.Join(' ', args.Select(a => a.Length > 20 ? a[..8] + "..." : a)));
    }

    [TestCaseSource(nameof(UsageErrors))]
    public async Task RunAsync_UsageError_Exits64WithOneProblemLineThenUsageOnStderr(string[] args, string problem, string? verbUsage)
    {
        var result = await InProcess.RunAsync(args);

        result.ExitCode.Should().Be(ExitCodes.Usage, result.Stderr);
        result.Stdout.Should().BeEmpty();
        result.StderrLines[0].Should().Be("mcpctl: " + problem);
        result.StderrLines[1].Should().Be(verbUsage is null
            ? "Usage: mcpctl [OPTIONS] VERB [ARGUMENTS]"
            : "Usage: " + VerbCatalog.UsageLine(VerbCatalog.Find(verbUsage)!));
        result.StderrLines[^1].Should().StartWith("Try 'mcpctl ").And.EndWith(" for more information.");
    }

    [Test]
    public async Task RunAsync_HelpForEveryVerb_PrintsItsUsageLineAndExitCodesOnStdout()
    {
        foreach (var verb in VerbCatalog.All)
        {
            var name = VerbCatalog.NameOf(verb);
            var viaFlag = await InProcess.RunAsync([name, "--help"]);
            var viaHelpVerb = await InProcess.RunAsync(["help", name]);
            var viaShortFlag = await InProcess.RunAsync([name, "-h"]);

            viaFlag.ExitCode.Should().Be(0);
            viaFlag.Stderr.Should().BeEmpty();
            viaFlag.StdoutLines[1].Should().Be("Usage: " + VerbCatalog.UsageLine(verb));
            viaFlag.Stdout.Should().Contain("--host").And.Contain("--port").And.Contain("--timeout").And.Contain("--json").And.Contain("Exit codes:");
            viaHelpVerb.Should().Be(viaFlag);
            viaShortFlag.Should().Be(viaFlag);
        }
    }

    [Test]
    public async Task RunAsync_GeneralHelp_ListsEveryVerbAndEveryExitCode()
    {
        var result = await InProcess.RunAsync(["--help"]);

        result.ExitCode.Should().Be(0);
        foreach (var verb in VerbCatalog.All)
        {
            result.StdoutLines.Should().Contain(l => l.StartsWith("  " + VerbCatalog.NameOf(verb) + " ", StringComparison.Ordinal));
        }

        foreach (var (code, meaning) in ExitCodes.Table)
        {
            result.StdoutLines.Should().Contain($"  {code,-4}{meaning}");
        }
    }

    [Test]
    public async Task RunAsync_OptionsBeforeVerbAndEqualsForm_ReachTheServer()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x01));
        var port = server.Port.ToString(CultureInfo.InvariantCulture);

        var before = await InProcess.RunAsync(["-H", "127.0.0.1", "--port", port, "--timeout", "10", "toggle-dissector"]);
        var equals = await InProcess.RunAsync(["toggle-dissector", "--port=" + port, "--timeout=2.5"]);
        var grouped = await InProcess.RunAsync(["toggle-dissector", "-P" + port]);

        foreach (var result in new[] { before, equals, grouped })
        {
            result.ExitCode.Should().Be(0, result.Stderr);
            result.StdoutLines.Should().Equal("dissector is now on");
        }

        server.Requests.Select(Hex.Format).Should().Equal("01 04 00 00", "01 04 00 00", "01 04 00 00");
    }

    [Test]
    public async Task RunAsync_PasswordOnTerminal_AsksTwiceWithoutEchoAndSendsIt()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok());
        // "sec", Backspace, "cret", Enter; then "x", Ctrl+U (clear line), "secret", Enter.
        var console = new ScriptedConsole("secx\bret\nx\u0015secret\n");

        var result = await InProcess.RunAsync(["add-user", "-P", server.Port.ToString(CultureInfo.InvariantCulture), "alice"], console: console);

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Select(Hex.Format).Should().Equal("01 02 00 0D 05 61 6C 69 63 65 06 73 65 63 72 65 74");
        result.Stderr.Should().Be("Password: \nRetype password: \n", "prompts go to stderr and nothing typed is echoed");
        result.StdoutLines.Should().Equal("user 'alice' added");
        console.Intercepts.Should().OnlyContain(intercept => intercept);
        console.HiddenBeforeFirstKey.Should().BeTrue();
    }

    [Test]
    public async Task RunAsync_PasswordsDiffer_Exits64WithoutUsage()
    {
        var console = new ScriptedConsole("one\ntwo\n");

        var result = await InProcess.RunAsync(["add-user", "-P", "1", "alice"], console: console);

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Stderr.Should().Be("Password: \nRetype password: \nmcpctl: the passwords do not match\n");
    }

    [Test]
    public async Task RunAsync_EmptyPasswordOnTerminal_Exits64()
    {
        var console = new ScriptedConsole("\n\n");

        var result = await InProcess.RunAsync(["add-user", "-P", "1", "alice"], console: console);

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.StderrLines.Should().Equal("Password: ", "Retype password: ", "mcpctl: the password must not be empty");
    }

    [Test]
    public async Task RunAsync_PasswordStdinWithLf_SendsLineWithoutLf()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok());

        var result = await InProcess.RunAsync(["add-user", "--password-stdin", "-P", server.Port.ToString(CultureInfo.InvariantCulture), "bob"], stdin: "pa ss\n");

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Should().ContainSingle().Which.Should().Equal([0x01, 0x02, 0x00, 0x0A, 0x03, .. "bob"u8, 0x05, .. "pa ss"u8]);
    }

    [Test]
    public async Task RunAsync_NameNeedingEscape_IsEscapedInMessages()
    {
        await using var server = FakeMcpServer.Start(Reply.Status(0x03));

        var result = await InProcess.RunAsync(["remove-user", "-P", server.Port.ToString(CultureInfo.InvariantCulture), "a\u001b]0;pwned\u0007"]);

        result.ExitCode.Should().Be(ExitCodes.UserNotFound);
        result.StderrLines.Should().Equal(@"mcpctl: user 'a\x1B]0;pwned\x07' does not exist (USER_NOT_FOUND)");
    }

    [Test]
    public async Task RunAsync_ListUsersJsonWithUnsafeNames_JsonRestoresValidNamesAndReplacesInvalidBytes()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(Reply.UsersPayload("a\u001b[2J"u8.ToArray(), "b\u202Ec"u8.ToArray(), [0x6D, 0xFF])));

        var result = await InProcess.RunAsync(["list-users", "--json", "-P", server.Port.ToString(CultureInfo.InvariantCulture)]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().MatchRegex("^[\\x20-\\x7E]*\n$", "JSON output is ASCII-only, so it is terminal-safe");
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("users").EnumerateArray().Select(u => u.GetString())
            .Should().Equal("a\u001b[2J", "b\u202Ec", "m\uFFFD");
    }

    [Test]
    public async Task RunAsync_ListUsersTextWithUnsafeNames_PrintsEscapes()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(Reply.UsersPayload("b\u202Ec"u8.ToArray(), @"back\slash"u8.ToArray())));

        var result = await InProcess.RunAsync(["list-users", "-P", server.Port.ToString(CultureInfo.InvariantCulture)]);

        result.StdoutLines.Should().Equal(@"b\xE2\x80\xAEc", @"back\x5Cslash");
    }

    [Test]
    public async Task RunAsync_ListUsersJsonNoUsers_PrintsEmptyArrayAndNoNote()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x00));

        var result = await InProcess.RunAsync(["list-users", "--json", "-P", server.Port.ToString(CultureInfo.InvariantCulture)]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Be("{\"users\":[]}\n");
        result.Stderr.Should().BeEmpty();
    }

    [Test]
    public async Task RunAsync_NameAfterDoubleDash_MayStartWithDash()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok());

        var result = await InProcess.RunAsync(["remove-user", "-P", server.Port.ToString(CultureInfo.InvariantCulture), "--", "-x"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Requests.Select(Hex.Format).Should().Equal("01 03 00 03 02 2D 78");
        result.StdoutLines.Should().Equal("user '-x' removed");
    }

    [Test]
    public async Task RunAsync_StatusErrorWithJson_PrintsNothingOnStdout()
    {
        await using var server = FakeMcpServer.Start(Reply.Status(0x04));

        var result = await InProcess.RunAsync(["add-user", "--json", "-P", server.Port.ToString(CultureInfo.InvariantCulture), "alice", "pw"]);

        result.ExitCode.Should().Be(ExitCodes.UserExists);
        result.Stdout.Should().BeEmpty();
        result.StderrLines.Should().Equal("mcpctl: user 'alice' already exists (USER_EXISTS)");
    }

    [Test]
    public async Task RunAsync_UndefinedStatusByte_Exits69AsProtocolError()
    {
        await using var server = FakeMcpServer.Start(Reply.Status(0x09));

        var result = await InProcess.RunAsync(["remove-user", "-P", server.Port.ToString(CultureInfo.InvariantCulture), "alice"]);

        result.ExitCode.Should().Be(ExitCodes.Unavailable);
        result.StderrLines.Should().Equal($"mcpctl: protocol error from 127.0.0.1:{server.Port}: undefined status 0x09");
    }

    [Test]
    public async Task RunAsync_WrongVersionInResponse_Exits69()
    {
        await using var server = FakeMcpServer.Start(new Reply([0x02, 0x00, 0x00, 0x01, 0x01]));

        var result = await InProcess.RunAsync(["toggle-dissector", "-P", server.Port.ToString(CultureInfo.InvariantCulture)]);

        result.ExitCode.Should().Be(ExitCodes.Unavailable);
        result.StderrLines.Should().ContainSingle().Which.Should().StartWith($"mcpctl: protocol error from 127.0.0.1:{server.Port}: ");
    }

    [Test]
    public async Task RunAsync_ServerClosesWithoutAnswer_Exits69ConnectionLost()
    {
        await using var server = FakeMcpServer.Start(new Reply([], HangUp: true));

        var result = await InProcess.RunAsync(["list-users", "-P", server.Port.ToString(CultureInfo.InvariantCulture)]);

        result.ExitCode.Should().Be(ExitCodes.Unavailable);
        result.StderrLines.Should().Equal($"mcpctl: connection to 127.0.0.1:{server.Port} lost: the server closed the connection before answering LIST_USERS");
    }

    [Test]
    public async Task RunAsync_ErrorThenServerCloses_IsARefusal_Exit77WithOneLine()
    {
        // How socks5d refuses a uid it does not serve: ERROR, then the connection is closed.
        await using var server = FakeMcpServer.Start(Reply.Status(0x01) with { HangUp = true });

        var result = await InProcess.RunAsync(["add-user", "-P", server.Port.ToString(CultureInfo.InvariantCulture), "alice", "pw"]);

        result.ExitCode.Should().Be(ExitCodes.NoPermission);
        result.Stdout.Should().BeEmpty();
        result.StderrLines.Should().Equal(
            $"mcpctl: 127.0.0.1:{server.Port} refused this connection: uid {ProcessIdentity.EffectiveUid} is not allowed (socks5d --mcp-allow-uid)");
    }

    [Test]
    public async Task RunAsync_ErrorOnAnOpenConnection_IsTheCommandsError_ProbedWithOneGetMetrics()
    {
        // A failed command (e.g. the users file could not be written): ERROR, and the connection stays open.
        await using var server = FakeMcpServer.Start(request => request[1] == 0x02
            ? Reply.Status(0x01)
            : Reply.Ok(Reply.MetricsPayload(0, 0, 0, 0, 0, 0)));

        var result = await InProcess.RunAsync(["add-user", "-P", server.Port.ToString(CultureInfo.InvariantCulture), "alice", "pw"]);

        result.ExitCode.Should().Be(ExitCodes.ServerError);
        result.StderrLines.Should().Equal("mcpctl: the server could not add user 'alice' (ERROR)");
        server.Requests.Select(Hex.Format).Should().Equal("01 02 00 09 05 61 6C 69 63 65 02 70 77", "01 00 00 00");
    }

    [Test]
    public async Task RunAsync_RefusedByAServerElsewhere_DoesNotBlameTheLocalUid()
    {
        var settings = new CommandSettings("192.0.2.1", 8080, TimeSpan.FromSeconds(5), Json: false);
        await using var server = FakeMcpServer.Start(Reply.Status(0x01) with { HangUp = true });
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var command = new MetricsCommand(
            token => McpClient.ConnectAsync("127.0.0.1", server.Port, token), stdout, stderr, settings);

        (await command.RunAsync()).Should().Be(ExitCodes.NoPermission);

        stderr.ToString().Should().Be(
            "mcpctl: 192.0.2.1:8080 refused this connection: this client is not allowed (socks5d --mcp-allow-uid; clients on other hosts need 'any')\n");
    }

    [Test]
    public async Task RunAsync_SocketPathMissing_Exits69SayingSo()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mcpctl-none-{Guid.NewGuid():N}.sock");

        var result = await InProcess.RunAsync(["metrics", "--socket", path]);

        result.ExitCode.Should().Be(ExitCodes.Unavailable);
        result.StderrLines.Should().Equal($"mcpctl: cannot connect to unix:{path}: no such socket file (is socks5d running with -L unix:PATH?)");
    }

    [Test]
    public async Task RunAsync_SocketWithNobodyListening_Exits69ConnectionRefused()
    {
        var directory = Directory.CreateTempSubdirectory("mcpctl-stale-").FullName;
        try
        {
            // A socket file that was bound and never listened on: connect is refused, as after a killed server.
            var path = Path.Combine(directory, "mcp.sock");
            using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                socket.Bind(new UnixDomainSocketEndPoint(path));
                var result = await InProcess.RunAsync(["-H", "unix:" + path, "list-users"]);

                result.ExitCode.Should().Be(ExitCodes.Unavailable);
                result.StderrLines.Should().Equal(
                    $"mcpctl: cannot connect to unix:{path}: connection refused (nothing listens on the socket: socks5d is not running)");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task RunAsync_Version_PrintsSemanticVersionWithoutBuildMetadata()
    {
        var result = await InProcess.RunAsync(["--version"]);

        result.ExitCode.Should().Be(0);
        result.StdoutLines.Should().ContainSingle().Which.Should().MatchRegex(@"^mcpctl \d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$");
    }

    [Test]
    public void PasswordRead_Utf8Arguments_EncodedAsUtf8()
    {
        ArgumentValidator.Password("pässword", typeof(Options.AddUserOptions), showUsage: true)
            .Should().Equal(Encoding.UTF8.GetBytes("pässword"));
        ArgumentValidator.UserName(new string('a', 255), typeof(Options.AddUserOptions)).Should().HaveCount(255);
    }
}
