using System.Net;
using System.Runtime.Versioning;
using EndToEnd.Tests.Support;
using Socks.Core.Protocol;

namespace EndToEnd.Tests.Access;

/// <summary>
/// <c>--rules FILE</c> in the real socks5d (docs/rules.md): every rule field, first-match order, the method decision
/// with real clients (curl, python3-socks), startup errors and SIGHUP reload.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
[SupportedOSPlatform("linux")]
public sealed class RulesEndToEndTests
{
    private const int SIGHUP = 1;
    private const int ExitConfig = 78;

    private string _directory = "";
    private string _rules = "";
    private string _log = "";
    private int _records;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "rules-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _rules = Path.Combine(_directory, "rules.conf");
        _log = Path.Combine(_directory, "access.log");
        _records = 0;
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Startup_BadRulesFile_ExitsWithConfigStatusAndOneLineNamingFileAndLine()
    {
        await File.WriteAllTextAsync(_rules, "allow\n# fine so far\ndeny dst=10.0.0.0/8\n");

        var (exitCode, _, stderr) = await Socks5dProcess.RunAsync("-l", "127.0.0.1", "-p", "0", "--rules", _rules);

        exitCode.Should().Be(ExitConfig);
        stderr.Should().Equal($"socks5d: rules file {_rules}: line 3: unknown field 'dst' (fields: client, user, command, dest, port)");
    }

    [Test]
    public async Task Startup_MissingRulesFile_ExitsWithConfigStatus()
    {
        var (exitCode, _, stderr) = await Socks5dProcess.RunAsync("-l", "127.0.0.1", "-p", "0", "--rules", _rules);

        exitCode.Should().Be(ExitConfig);
        stderr.Should().Equal($"socks5d: rules file {_rules}: no such file");
    }

    [Test]
    public async Task Method_AnonymousFrom127002_OthersMustAuthenticate_WithCurlAndPySocks()
    {
        await using var web = new TinyWebServer();
        await File.WriteAllTextAsync(_rules, "allow client=127.0.0.2 user=anonymous\nallow user=*\n");
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "alice:alice-pw", "--rules", _rules);
        var url = $"http://127.0.0.1:{web.Port}/";
        await proxy.Process.WaitForLineAsync(l => l.Contains($"Access rules: 2 rules from {_rules}", StringComparison.Ordinal));

        (await Curl.RunAsync($"socks5h://{proxy.Socks}", url, ["--interface", "127.0.0.2"])).Should().Be((0, TinyWebServer.Body), "127.0.0.2 may come in anonymously");
        var refused = await Curl.RunAsync($"socks5h://{proxy.Socks}", url, ["--interface", "127.0.0.1"]);
        refused.ExitCode.Should().NotBe(0, "127.0.0.1 must authenticate");
        (await Curl.RunAsync($"socks5h://alice:alice-pw@{proxy.Socks}", url, ["--interface", "127.0.0.1"])).Should().Be((0, TinyWebServer.Body));

        var anonymous = await ScriptRunner.RunPythonAsync(PySocksScript, "127.0.0.2", proxy.Socks.Port.ToString(), web.Port.ToString(), "");
        anonymous.Stdout.Should().Contain("200 OK", anonymous.Stderr);
        var denied = await ScriptRunner.RunPythonAsync(PySocksScript, "127.0.0.1", proxy.Socks.Port.ToString(), web.Port.ToString(), "");
        denied.Stdout.Should().StartWith("refused", denied.Stderr);
        var authenticated = await ScriptRunner.RunPythonAsync(PySocksScript, "127.0.0.1", proxy.Socks.Port.ToString(), web.Port.ToString(), "alice");
        authenticated.Stdout.Should().Contain("200 OK", authenticated.Stderr);
        web.Requests.Should().Be(4);
    }

    [Test]
    public async Task EveryField_AndFirstMatch_DecideAsTheFileSays()
    {
        await using var rangeLow = TestTarget.Echo(IPAddress.Any);
        await using var rangeHigh = TestTarget.Echo(IPAddress.Any);
        var low = Math.Min(rangeLow.EndPoint.Port, rangeHigh.EndPoint.Port);
        var high = Math.Max(rangeLow.EndPoint.Port, rangeHigh.EndPoint.Port);
        var spares = new List<TestTarget>();
        try
        {
            // The OS picks the ports: the other listeners must fall outside the range (held ones are never picked twice).
            await using var target = OutsideRange(low, high, spares);
            await using var listA = OutsideRange(low, high, spares);
            await using var listB = OutsideRange(low, high, spares);
            await EveryFieldAsync(target, listA, listB, rangeLow, rangeHigh, low, high);
        }
        finally
        {
            foreach (var spare in spares)
            {
                await spare.DisposeAsync();
            }
        }
    }

    private static TestTarget OutsideRange(int low, int high, List<TestTarget> spares)
    {
        while (true)
        {
            var candidate = TestTarget.Echo(IPAddress.Any);
            if (candidate.EndPoint.Port < low || candidate.EndPoint.Port > high)
            {
                return candidate;
            }

            spares.Add(candidate);
        }
    }

    private async Task EveryFieldAsync(TestTarget target, TestTarget listA, TestTarget listB, TestTarget rangeLow, TestTarget rangeHigh, int low, int high)
    {
        var port = target.EndPoint.Port;
        await File.WriteAllTextAsync(_rules, $"""
            # socks5d end-to-end rules
            deny client=127.0.0.4
            deny user=mallory
            deny command=bind
            deny dest=denied.test
            deny dest=*.wild.test
            deny dest=127.0.0.3
            deny port={listA.EndPoint.Port},{listB.EndPoint.Port}
            deny port={low}-{high}
            allow user=alice dest=first.test
            deny dest=first.test
            allow
            """ + "\n");
        var hosts = Path.Combine(_directory, "hosts");
        await File.WriteAllTextAsync(hosts, "127.0.0.1 localhost allowed.test denied.test wild.test a.wild.test first.test\n127.0.0.3 resolved.test\n");
        await using var process = Socks5dProcess.Start(
            ["-l", "127.0.0.1", "-p", "0", "-u", "alice:pass", "-u", "bob:pass", "-u", "mallory:pass", "--rules", _rules, "--access-log", _log], hosts: hosts);
        var (socks, _) = await process.WaitForListeningAsync();
        var at = new IPEndPoint(IPAddress.Loopback, port);

        // client
        (await ConnectAsync(socks, "alice", at, from: "127.0.0.4")).Should().Be((ReplyCode.ConnectionNotAllowed, "2"));
        (await ConnectAsync(socks, "alice", at, from: "127.0.0.5")).Should().Be((ReplyCode.Succeeded, null));

        // user
        (await ConnectAsync(socks, "mallory", at)).Should().Be((ReplyCode.ConnectionNotAllowed, "3"));
        (await ConnectAsync(socks, "bob", at)).Should().Be((ReplyCode.Succeeded, null));

        // command
        (await RequestAsync(socks, "alice", SocksTestClient.ConnectRequest(new IPEndPoint(IPAddress.Loopback, 0), command: 0x02)))
            .Should().Be((ReplyCode.ConnectionNotAllowed, "4"));

        // destination name, as the client gave it
        (await ConnectAsync(socks, "alice", "denied.test", port)).Should().Be((ReplyCode.ConnectionNotAllowed, "5"));
        (await ConnectAsync(socks, "alice", "allowed.test", port)).Should().Be((ReplyCode.Succeeded, null));

        // destination wildcard: subdomains, not the domain itself
        (await ConnectAsync(socks, "alice", "a.wild.test", port)).Should().Be((ReplyCode.ConnectionNotAllowed, "6"));
        (await ConnectAsync(socks, "alice", "wild.test", port)).Should().Be((ReplyCode.Succeeded, null));

        // destination address: the literal, and the address a name resolved to
        (await ConnectAsync(socks, "alice", new IPEndPoint(IPAddress.Parse("127.0.0.3"), port))).Should().Be((ReplyCode.ConnectionNotAllowed, "7"));
        (await ConnectAsync(socks, "alice", "resolved.test", port)).Should().Be((ReplyCode.ConnectionNotAllowed, "7"));

        // ports: a list and a range
        (await ConnectAsync(socks, "alice", listA.EndPoint.Port)).Should().Be((ReplyCode.ConnectionNotAllowed, "8"));
        (await ConnectAsync(socks, "alice", listB.EndPoint.Port)).Should().Be((ReplyCode.ConnectionNotAllowed, "8"));
        (await ConnectAsync(socks, "alice", rangeLow.EndPoint.Port)).Should().Be((ReplyCode.ConnectionNotAllowed, "9"));
        (await ConnectAsync(socks, "alice", rangeHigh.EndPoint.Port)).Should().Be((ReplyCode.ConnectionNotAllowed, "9"));

        // first match: line 10 lets alice through before line 11 denies everyone else
        (await ConnectAsync(socks, "alice", "first.test", port)).Should().Be((ReplyCode.Succeeded, null));
        (await ConnectAsync(socks, "bob", "first.test", port)).Should().Be((ReplyCode.ConnectionNotAllowed, "11"));

        target.Peers.Should().HaveCount(5, "only the allowed requests reached the target");
        listA.Peers.Should().BeEmpty();
        rangeLow.Peers.Should().BeEmpty();
    }

    [Test]
    public async Task Sighup_GoodFileReplacesTheRules_BadFileKeepsThem()
    {
        await using var target = TestTarget.Echo();
        var at = target.EndPoint;
        await File.WriteAllTextAsync(_rules, $"deny port={at.Port}\nallow\n");
        await using var proxy = await RunningProxy.StartAsync(
            "-l", "127.0.0.1", "-p", "0", "-u", "alice:pass", "-u", "bob:pass", "--rules", _rules, "--access-log", _log);
        (await ConnectAsync(proxy.Socks, "alice", at)).Should().Be((ReplyCode.ConnectionNotAllowed, "1"));

        await File.WriteAllTextAsync(_rules, $"# only alice now\nallow user=alice port={at.Port}\n");
        proxy.Process.Signal(SIGHUP);
        await proxy.Process.WaitForLineAsync(l => l.Contains($"; rules file {_rules} reloaded: 1 rules", StringComparison.Ordinal));

        (await ConnectAsync(proxy.Socks, "alice", at)).Should().Be((ReplyCode.Succeeded, null));
        (await ConnectAsync(proxy.Socks, "bob", at)).Should().Be((ReplyCode.ConnectionNotAllowed, "default"), "no rule matches bob");

        await File.WriteAllTextAsync(_rules, "allow\nallow prt=80\n");
        proxy.Process.Signal(SIGHUP);
        var line = await proxy.Process.WaitForLineAsync(l => l.Contains("rules file not reloaded", StringComparison.Ordinal));

        line.Should().Contain(" warn: ").And.Contain($"; rules file not reloaded, the 1 rules loaded before are kept: rules file {_rules}: line 2: unknown field 'prt' (fields: client, user, command, dest, port)");
        (await ConnectAsync(proxy.Socks, "bob", at)).Should().Be((ReplyCode.ConnectionNotAllowed, "default"), "the old rules are still in force");
        (await ConnectAsync(proxy.Socks, "alice", at)).Should().Be((ReplyCode.Succeeded, null));
        proxy.Process.HasExited.Should().BeFalse();
    }

    // python3-socks (PySocks): argv = source address, proxy port, web port, user ("" for none; the password is USER-pw).
    private const string PySocksScript = """
        import socket, sys
        import socks
        source, proxy_port, web_port, user = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
        s = socks.socksocket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((source, 0))
        s.set_proxy(socks.SOCKS5, "127.0.0.1", proxy_port, rdns=True, username=user or None, password=(user + "-pw") if user else None)
        s.settimeout(20)
        try:
            s.connect(("127.0.0.1", web_port))
        except socks.ProxyError as error:
            print("refused", error)
            sys.exit(0)
        s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        print(data.decode().splitlines()[0])
        """;

    private Task<(ReplyCode, string?)> ConnectAsync(IPEndPoint socks, string user, int port) =>
        ConnectAsync(socks, user, new IPEndPoint(IPAddress.Loopback, port));

    private Task<(ReplyCode, string?)> ConnectAsync(IPEndPoint socks, string user, IPEndPoint target, string? from = null) =>
        RequestAsync(socks, user, SocksTestClient.ConnectRequest(target), from);

    private Task<(ReplyCode, string?)> ConnectAsync(IPEndPoint socks, string user, string host, int port) =>
        RequestAsync(socks, user, SocksTestClient.ConnectRequest(host, port));

    /// <summary>One session: login, one request; returns the REP code and field 13 of its access record (null when absent).</summary>
    private async Task<(ReplyCode, string?)> RequestAsync(IPEndPoint socks, string user, byte[] request, string? from = null)
    {
        ReplyCode code;
        using (var client = await SocksTestClient.ConnectAsync(socks, from is null ? null : IPAddress.Parse(from)))
        {
            await client.NegotiateAsync(user);
            await client.SendAsync(request);
            code = (await client.ReadReplyAsync()).Code;
        }

        _records++;
        await LogFile.WaitForLinesAsync(_log, _records);
        var record = LogFile.Records(_log)[_records - 1];
        return (code, record.Length == 13 ? record[12] : null);
    }
}
