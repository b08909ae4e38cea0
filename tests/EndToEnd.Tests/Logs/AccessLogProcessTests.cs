using System.Net;
using System.Net.Sockets;
using Socks.Core.Protocol;

namespace EndToEnd.Tests.Logs;

/// <summary>
/// The access log of the real socks5d process (--access-log FILE), driven by raw SOCKS5 sockets: one
/// exact record per session, successful or not, also for sessions open at shutdown and clients closed
/// at the connection limit; escaping of hostile names; rotation on SIGHUP; a failing disk.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class AccessLogProcessTests
{
    private const int SIGHUP = 1;

    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "socks5d-accesslog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Sessions_SuccessAndEveryFailureKind_OneExactRecordEach()
    {
        await using var pop3 = new Pop3TestServer();
        var path = Path.Combine(_dir, "access.log");
        // --no-udp: UDP ASSOCIATE is then answered 07 like BIND (served UDP: tests/EndToEnd.Tests/Udp).
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--access-log", path, "--no-udp"]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        using var closedPort = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closedPort.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // bound, never listening: connecting is refused
        var refusedPort = ((IPEndPoint)closedPort.LocalEndPoint!).Port;
        var expected = new Dictionary<string, string[]>();

        // Success: the client reads the greeting, sends QUIT (6 bytes), reads "+OK bye" and the close.
        var (success, client) = await AuthenticatedAsync(proxy);
        using (success)
        {
            (await RequestAsync(success, Request(SocksCommand.Connect, pop3.EndPoint))).Should().Be(0x00);
            (await success.ReceiveAsync(pop3.Greeting.Length)).Should().NotBeNull();
            await success.SendAsync("QUIT\r\n"u8.ToArray());
            (await success.ReceiveAsync(9)).Should().Equal("+OK bye\r\n"u8.ToArray());
            (await success.IsClosedByPeerAsync()).Should().BeTrue();
        }

        var target = $"127.0.0.1:{pop3.Port}";
        expected[client] = ["user", client, target, target, "00", "6", (pop3.Greeting.Length + 9).ToString(), "CONNECT", "ok"];

        // Refused (05), unknown name (04), unserved commands (07), unknown ATYP (08), hostile name (04, escaped).
        byte[] hostile = [.. "a\r\nb\tc\0d"u8, 0xFF, .. "e\\.invalid"u8];
        var cases = new (byte[] Request, byte Reply, string Requested, string Command, string Reason)[]
        {
            (Request(SocksCommand.Connect, new IPEndPoint(IPAddress.Loopback, refusedPort)), 0x05, $"127.0.0.1:{refusedPort}", "CONNECT", "dial-failed"),
            (Request(SocksCommand.Connect, "nosuchhost.invalid"u8.ToArray(), 80), 0x04, "nosuchhost.invalid:80", "CONNECT", "dial-failed"),
            (Request((SocksCommand)0xF2, pop3.EndPoint), 0x07, target, "F2", "command-not-supported"),
            (Request(SocksCommand.UdpAssociate, pop3.EndPoint), 0x07, target, "UDP", "command-not-supported"),
            (Request((SocksCommand)0x09, pop3.EndPoint), 0x07, target, "09", "command-not-supported"),
            ([0x05, 0x01, 0x00, 0x02, 0x7F, 0x00, 0x00, 0x01, 0x00, 0x50], 0x08, "-", "-", "bad-request"),
            (Request(SocksCommand.Connect, hostile, 80), 0x04, @"a\r\nb\tc\x00d\xFFe\\.invalid:80", "CONNECT", "dial-failed"),
        };
        foreach (var (request, reply, requested, command, reason) in cases)
        {
            var (tunnel, local) = await AuthenticatedAsync(proxy);
            using (tunnel)
            {
                (await RequestAsync(tunnel, request)).Should().Be(reply);
                (await tunnel.IsClosedByPeerAsync()).Should().BeTrue();
            }

            expected[local] = ["user", local, requested, "-", reply.ToString("X2"), "0", "0", command, reason];
        }

        // Authentication failure: 01 01, then the close; the name tried is recorded (never the password), nothing requested or replied.
        var (badPassword, badLocal) = await ConnectAsync(proxy);
        using (badPassword)
        {
            await badPassword.SendAsync([0x05, 0x01, 0x02, .. UsernamePassword("user", "wrong")]);
            (await badPassword.ReceiveAsync(4)).Should().Equal(0x05, 0x02, 0x01, 0x01);
            (await badPassword.IsClosedByPeerAsync()).Should().BeTrue();
        }

        expected[badLocal] = ["user", badLocal, "-", "-", "-", "0", "0", "-", "auth-failed"];

        // No acceptable method: 05 FF.
        var (noMethod, noMethodLocal) = await ConnectAsync(proxy);
        using (noMethod)
        {
            await noMethod.SendAsync([0x05, 0x01, 0x00]);
            (await noMethod.ReceiveAsync(2)).Should().Equal(0x05, 0xFF);
            (await noMethod.IsClosedByPeerAsync()).Should().BeTrue();
        }

        expected[noMethodLocal] = ["-", noMethodLocal, "-", "-", "-", "0", "0", "-", "no-acceptable-method"];

        // A SOCKS4 client: closed without a reply.
        var (socks4, socks4Local) = await ConnectAsync(proxy);
        using (socks4)
        {
            await socks4.SendAsync([0x04, 0x01, 0x00, 0x50, 0x7F, 0x00, 0x00, 0x01, 0x00]);
            (await socks4.IsClosedByPeerAsync()).Should().BeTrue();
        }

        expected[socks4Local] = ["-", socks4Local, "-", "-", "-", "0", "0", "-", "bad-version"];

        // A client that hangs up before its greeting is complete.
        var (hangUp, hangUpLocal) = await ConnectAsync(proxy);
        using (hangUp)
        {
            await hangUp.SendAsync([0x05]);
            hangUp.Socket.Shutdown(SocketShutdown.Send);
            (await hangUp.IsClosedByPeerAsync()).Should().BeTrue();
        }

        expected[hangUpLocal] = ["-", hangUpLocal, "-", "-", "-", "0", "0", "-", "client-closed"];

        await CredentialsLogProcessTests.StopAsync(socks5d);

        var lines = await File.ReadAllLinesAsync(path);
        lines.Should().HaveCount(expected.Count, "one line per session, whatever bytes the names held");
        foreach (var record in lines.Select(line => line.Split('\t')))
        {
            LogFile.ShouldBeWellFormedAccessRecord(record);
            expected.Should().ContainKey(record[3]);
            record[2..9].Concat(record[10..]).Should().Equal(expected[record[3]], "the record of client {0}", record[3]);
        }

        lines.Should().OnlyContain(line => line.All(c => c == '\t' || (c >= 0x20 && c <= 0x7E)), "records are printable ASCII and TABs");
        File.ReadAllText(path).Should().NotContain("wrong", "the password of the failed login is never recorded");
    }

    [Test]
    public async Task Sigterm_SessionsOpenAndOneClosedAtTheLimit_OneRecordEachInTheFileAfterExit()
    {
        await using var echo = new EchoServer();
        var path = Path.Combine(_dir, "access.log");
        await using var socks5d = Socks5dProcess.Start(
            ["-u", "user:pass", "-p", "0", "--max-connections", "2", "--drain-timeout", "200ms", "--access-log", path]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        using var first = await SocksTestClient.OpenAsync(proxy, echo.EndPoint);
        using var second = await SocksTestClient.OpenAsync(proxy, echo.EndPoint);
        await first.SendAsync("abc"u8.ToArray());
        (await first.ReceiveAsync(3)).Should().Equal("abc"u8.ToArray());
        await second.SendAsync("hello"u8.ToArray());
        (await second.ReceiveAsync(5)).Should().Equal("hello"u8.ToArray());
        var (third, thirdLocal) = await ConnectAsync(proxy);
        using (third)
        {
            (await third.IsClosedByPeerAsync()).Should().BeTrue("the server is full");
        }

        await CredentialsLogProcessTests.StopAsync(socks5d);

        var records = LogFile.Records(path);
        records.Should().HaveCount(3);
        records.ToList().ForEach(LogFile.ShouldBeWellFormedAccessRecord);
        var target = LogFile.Endpoint(echo.EndPoint);
        var byClient = records.ToDictionary(r => r[3], r => r[2..9].Concat(r[10..]).ToArray());
        byClient[LogFile.Endpoint(first.Socket.LocalEndPoint!)].Should().Equal(
            "user", LogFile.Endpoint(first.Socket.LocalEndPoint!), target, target, "00", "3", "3", "CONNECT", "shutdown");
        byClient[LogFile.Endpoint(second.Socket.LocalEndPoint!)].Should().Equal(
            "user", LogFile.Endpoint(second.Socket.LocalEndPoint!), target, target, "00", "5", "5", "CONNECT", "shutdown");
        byClient[thirdLocal].Should().Equal("-", thirdLocal, "-", "-", "-", "0", "0", "-", "connection-limit");
        socks5d.StandardError.Should().Contain(line => line.Contains("Drain deadline passed", StringComparison.Ordinal));
    }

    [Test]
    public async Task Sighup_AfterLogrotateRename_OldRecordsStayNewOnesGoToTheNewFile()
    {
        var access = Path.Combine(_dir, "access.log");
        var credentials = Path.Combine(_dir, "credentials.log");
        await using var socks5d = Socks5dProcess.Start(
            ["-u", "user:pass", "-p", "0", "--access-log", access, "--credentials-log", credentials]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        var before = await NoAcceptableMethodSessionAsync(proxy);
        await LogFile.WaitForLinesAsync(access, 1);

        File.Move(access, access + ".1");
        File.Move(credentials, credentials + ".1");
        socks5d.Signal(SIGHUP);
        var reopened = await socks5d.WaitForLineAsync(line => line.Contains("SIGHUP received", StringComparison.Ordinal));
        File.Exists(access).Should().BeTrue("the access log was reopened by its path");
        File.Exists(credentials).Should().BeTrue("the credentials log was reopened by its path");
        var after = await NoAcceptableMethodSessionAsync(proxy);
        await CredentialsLogProcessTests.StopAsync(socks5d);

        reopened.Should().Contain($"access log reopened at {access}").And.Contain($"credentials log reopened at {credentials}");
        LogFile.Records(access + ".1").Should().ContainSingle().Which[3].Should().Be(before);
        LogFile.Records(access).Should().ContainSingle().Which[3].Should().Be(after);
    }

    [Test]
    public async Task Sighup_StartedUnderNohup_StillReopensTheLogs()
    {
        // nohup starts socks5d with SIGHUP ignored, and the runtime leaves an inherited SIG_IGN alone unless socks5d
        // resets it (issue 18, item 5d): kill -HUP then did nothing.
        var access = Path.Combine(_dir, "access.log");
        await using var socks5d = Socks5dProcess.Start(
            ["-u", "user:pass", "-p", "0", "--access-log", access, "--credentials-log", Path.Combine(_dir, "credentials.log")], launcher: "nohup");
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        var before = await NoAcceptableMethodSessionAsync(proxy);
        await LogFile.WaitForLinesAsync(access, 1);

        File.Move(access, access + ".1");
        socks5d.Signal(SIGHUP);
        var reopened = await socks5d.WaitForLineAsync(line => line.Contains("SIGHUP received", StringComparison.Ordinal));
        var after = await NoAcceptableMethodSessionAsync(proxy);
        await CredentialsLogProcessTests.StopAsync(socks5d);

        reopened.Should().Contain($"access log reopened at {access}");
        LogFile.Records(access + ".1").Should().ContainSingle().Which[3].Should().Be(before);
        LogFile.Records(access).Should().ContainSingle().Which[3].Should().Be(after);
    }

    [Test]
    public async Task DiskFull_SessionsKeepWorking_OneErrorAndTheCountAtShutdown()
    {
        if (!File.Exists("/dev/full"))
        {
            Assert.Ignore("/dev/full is not available.");
        }

        await using var echo = new EchoServer();
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--access-log", "/dev/full"]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        for (var i = 0; i < 3; i++)
        {
            using var tunnel = await SocksTestClient.OpenAsync(proxy, echo.EndPoint);
            await tunnel.SendAsync("ping"u8.ToArray());
            (await tunnel.ReceiveAsync(4)).Should().Equal("ping"u8.ToArray(), "sessions work while the log cannot be written");
            tunnel.Socket.Shutdown(SocketShutdown.Send);
            (await tunnel.IsClosedByPeerAsync()).Should().BeTrue();
        }

        await CredentialsLogProcessTests.StopAsync(socks5d);

        socks5d.StandardError.Where(line => line.Contains("The access log cannot be written to /dev/full", StringComparison.Ordinal))
            .Should().ContainSingle("one error when writing starts to fail, not one per record");
        socks5d.StandardError.Should().Contain(line => line.Contains("3 records could not be written to the access log (/dev/full)", StringComparison.Ordinal));
    }

    [Test]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task DiskFillsThenFrees_SessionsKeepWorkingAndEveryLineIsAWholeRecord()
    {
        // A real 16 KiB file system, filled up after the first record: the records that follow fit in the rest of
        // the log's last page until one fits only in part (issue 18, item 3: it was left there, and the first
        // record after the disk freed up was glued to it).
        using var disk = SmallTmpfs.Mount();
        var path = Path.Combine(disk.Path, "access.log");
        await using var echo = new EchoServer();
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--access-log", path]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        await PingAsync(proxy, echo.EndPoint);
        await LogFile.WaitForLinesAsync(path, 1);

        disk.Fill();
        const int whileFull = 40;
        for (var i = 0; i < whileFull; i++)
        {
            await PingAsync(proxy, echo.EndPoint);
        }

        // The log writes what piles up in one write a little later (it batches under load): the disk is freed only
        // once a write has failed, or all 40 might go out after it and fit.
        await socks5d.WaitForLineAsync(line => line.Contains($"The access log cannot be written to {path}", StringComparison.Ordinal));
        disk.FreeSpace();
        await PingAsync(proxy, echo.EndPoint);
        await CredentialsLogProcessTests.StopAsync(socks5d);

        var lines = await File.ReadAllLinesAsync(path);
        lines.Length.Should().BeInRange(2, whileFull + 1, "some records did not fit (40 records are more than a page)");
        lines.Should().AllSatisfy(line => LogFile.ShouldBeWellFormedAccessRecord(line.Split('\t')));
        socks5d.StandardError.Should().Contain(line => line.Contains($"The access log cannot be written to {path}", StringComparison.Ordinal));
        socks5d.StandardError.Should().Contain(line => line.Contains("records could not be written to the access log", StringComparison.Ordinal));
    }

    private static async Task PingAsync(IPEndPoint proxy, IPEndPoint target)
    {
        using var tunnel = await SocksTestClient.OpenAsync(proxy, target);
        await tunnel.SendAsync("ping"u8.ToArray());
        (await tunnel.ReceiveAsync(4)).Should().Equal("ping"u8.ToArray(), "sessions work whether or not the log can be written");
        tunnel.Socket.Shutdown(SocketShutdown.Send);
        (await tunnel.IsClosedByPeerAsync()).Should().BeTrue();
    }

    [Test]
    public async Task AccessLogInMissingDirectory_Exits73WithOneLine()
    {
        var path = Path.Combine(_dir, "missing", "access.log");

        var (exitCode, stdout, stderr) = await Socks5dProcess.RunAsync("-p", "0", "--access-log", path);

        exitCode.Should().Be(73);
        stdout.Should().BeEmpty();
        stderr.Should().Equal($"socks5d: cannot open the access log '{path}': no such directory");
    }

    /// <summary>A session that ends at the greeting (05 FF); returns its client endpoint as logged.</summary>
    private static async Task<string> NoAcceptableMethodSessionAsync(IPEndPoint proxy)
    {
        var (tunnel, local) = await ConnectAsync(proxy);
        using (tunnel)
        {
            await tunnel.SendAsync([0x05, 0x01, 0x00]);
            (await tunnel.ReceiveAsync(2)).Should().Equal(0x05, 0xFF);
            (await tunnel.IsClosedByPeerAsync()).Should().BeTrue();
        }

        return local;
    }

    private static async Task<(SocksTestClient Tunnel, string Local)> ConnectAsync(IPEndPoint proxy)
    {
        var tunnel = await SocksTestClient.ConnectAsync(proxy);
        return (tunnel, LogFile.Endpoint(tunnel.Socket.LocalEndPoint!));
    }

    /// <summary>Connects and authenticates as user:pass.</summary>
    private static async Task<(SocksTestClient Tunnel, string Local)> AuthenticatedAsync(IPEndPoint proxy)
    {
        var (tunnel, local) = await ConnectAsync(proxy);
        await tunnel.SendAsync([0x05, 0x01, 0x02, .. UsernamePassword("user", "pass")]);
        (await tunnel.ReceiveAsync(4)).Should().Equal(0x05, 0x02, 0x01, 0x00);
        return (tunnel, local);
    }

    /// <summary>Sends a request and returns REP from the (IPv4-shaped, 10-byte) reply.</summary>
    private static async Task<byte> RequestAsync(SocksTestClient tunnel, byte[] request)
    {
        await tunnel.SendAsync(request);
        var reply = await tunnel.ReceiveAsync(10);
        reply.Should().NotBeNull("the proxy answers the request");
        reply![0].Should().Be(0x05);
        return reply[1];
    }

    private static byte[] UsernamePassword(string user, string password) => SocksTestClient.UsernamePassword(user, password);

    private static byte[] Request(SocksCommand command, IPEndPoint target) => SocksTestClient.ConnectRequest(target, (byte)command);

    private static byte[] Request(SocksCommand command, byte[] name, ushort port) => SocksTestClient.DomainRequest(name, port, (byte)command);
}
