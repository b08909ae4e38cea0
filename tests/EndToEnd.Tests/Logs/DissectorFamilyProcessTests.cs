using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Logs;

/// <summary>
/// The real socks5d process with its whole dissector family, the real curl as the client of every
/// protocol (<c>curl -x socks5h://u:p@... http:// ftp:// imap:// smtp://</c>) and a real server per
/// protocol: dovecot for IMAP, small in-test servers for HTTP (401/200), FTP (530/230) and SMTP
/// (535/235). Each test logs in once with a wrong password and once with the right one; the
/// credentials log, read after socks5d exited, holds exactly one record per login.
/// </summary>
[CancelAfter(TestTimeouts.LongTestMilliseconds)]
public sealed class DissectorFamilyProcessTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "socks5d-family-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Http_CurlBasicAuth_401ThenOk_OneRecordPerLogin()
    {
        await using var server = new HttpBasicServer();

        var records = await LogInTwiceAsync("http", server.Port, async (proxy, password) =>
        {
            var (exitCode, output) = await Curl.RunAsync(proxy, $"http://{LineServer.User}:{password}@127.0.0.1:{server.Port}/private");
            exitCode.Should().Be(0);
            return output == "welcome\n";
        });

        ShouldBeTheTwoLogins(records, server.Port, "HTTP", "BASIC");
    }

    [Test]
    public async Task Ftp_CurlUserPass_530Then230_OneRecordPerLogin()
    {
        await using var server = new FtpTestServer();

        var records = await LogInTwiceAsync("ftp", server.Port, async (proxy, password) =>
        {
            var (exitCode, _) = await Curl.RunAsync(proxy, $"ftp://{LineServer.User}:{password}@127.0.0.1:{server.Port}/file.txt", ["-I"]);
            exitCode.Should().BeOneOf(0, 67);
            return exitCode == 0;
        });

        ShouldBeTheTwoLogins(records, server.Port, "FTP", "USER/PASS");
    }

    [TestCase("AUTH=PLAIN", "AUTH-PLAIN")]
    [TestCase("AUTH=LOGIN", "AUTH-LOGIN")]
    public async Task Smtp_CurlAuth_535Then235_OneRecordPerLogin(string loginOptions, string mechanism)
    {
        await using var server = new SmtpTestServer();
        var message = Path.Combine(_dir, "message.txt");
        File.WriteAllText(message, "From: alice@test\r\nTo: bob@test\r\nSubject: hi\r\n\r\nhello\r\n");

        var records = await LogInTwiceAsync("smtp", server.Port, async (proxy, password) =>
        {
            var (exitCode, _) = await Curl.RunAsync(proxy, $"smtp://127.0.0.1:{server.Port}",
                ["--user", $"{LineServer.User}:{password}", "--login-options", loginOptions, "--mail-from", "alice@test", "--mail-rcpt", "bob@test", "-T", message]);
            exitCode.Should().BeOneOf(0, 67);
            return exitCode == 0;
        });

        ShouldBeTheTwoLogins(records, server.Port, "SMTP", mechanism);
    }

    [Test]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Imap_CurlAgainstDovecot_NoThenOk_OneRecordPerLogin()
    {
        await using var dovecot = await DovecotImapServer.StartAsync(TestContext.CurrentContext.CancellationToken);

        // curl (7.88) uses AUTHENTICATE PLAIN with an initial response when the server offers it, as dovecot does.
        var records = await LogInTwiceAsync("imap", dovecot.Port, async (proxy, password) =>
        {
            var (exitCode, output) = await Curl.RunAsync(proxy, $"imap://{DovecotImapServer.User}:{password}@127.0.0.1:{dovecot.Port}/");
            exitCode.Should().BeOneOf([0, 67], dovecot.Log);
            return exitCode == 0 && output.Contains("INBOX", StringComparison.Ordinal);
        });

        ShouldBeTheTwoLogins(records, dovecot.Port, "IMAP", "AUTH-PLAIN");
    }

    /// <summary>The LOGIN command with literals (RFC 9051 §4.3), which curl does not send: a raw client through socks5d to dovecot.</summary>
    [Test]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Imap_LoginWithLiteralsAgainstDovecot_NoThenOk_OneRecordPerLogin()
    {
        await using var dovecot = await DovecotImapServer.StartAsync(TestContext.CurrentContext.CancellationToken);

        var records = await LogInTwiceAsync("imap", dovecot.Port, async (proxy, password) =>
        {
            var port = new Uri(proxy).Port;
            using var tunnel = await SocksTestClient.OpenTunnelAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, dovecot.Port), "u", "p");
            var imap = new LineClient(tunnel.Socket);
            (await imap.ReadLineAsync()).Should().StartWith("* OK");
            await imap.SendAsync($"a1 LOGIN {{{DovecotImapServer.User.Length}}}\r\n");
            (await imap.ReadLineAsync()).Should().StartWith("+");
            await imap.SendAsync($"{DovecotImapServer.User} {{{password.Length}}}\r\n");
            (await imap.ReadLineAsync()).Should().StartWith("+");
            await imap.SendAsync(password + "\r\n");
            string? reply;
            while ((reply = await imap.ReadLineAsync()) is not null && reply.StartsWith('*'))
            {
            }

            await imap.SendAsync("a2 LOGOUT\r\n");
            return reply?.StartsWith("a1 OK", StringComparison.Ordinal) == true;
        });

        ShouldBeTheTwoLogins(records, dovecot.Port, "IMAP", "LOGIN");
    }

    [Test]
    public async Task DissectorsOffWithN_HttpLoginRecordsNothing()
    {
        await using var server = new HttpBasicServer();
        var credentials = Path.Combine(_dir, "credentials.log");
        await using var socks5d = Socks5dProcess.Start(
            ["-N", "-u", "u:p", "-p", "0", "--dissect", $"http={server.Port}", "--credentials-log", credentials, "--access-log", "-"]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();

        var (exitCode, output) = await Curl.RunAsync($"socks5h://u:p@127.0.0.1:{proxy.Port}", $"http://{LineServer.User}:{LineServer.Password}@127.0.0.1:{server.Port}/");
        await CredentialsLogProcessTests.StopAsync(socks5d);

        exitCode.Should().Be(0);
        output.Should().Be("welcome\n");
        File.ReadAllText(credentials).Should().BeEmpty();
        socks5d.StandardError.Should().Contain(line => line.Contains($"dissectors off (-N): http {server.Port}; ftp 21; imap 143; pop3 110; smtp 25,587", StringComparison.Ordinal));
    }

    [TestCase("socks5d: invalid port 'x' in --dissect http=80,x: expected PROTO=PORTS, PROTO one of http, ftp, imap, pop3, smtp, PORTS a comma-separated list of ports 1..65535, * (pop3, http) or none", "http=80,x")]
    [TestCase("socks5d: invalid value 'gopher=70' for --dissect: expected PROTO=PORTS, PROTO one of http, ftp, imap, pop3, smtp, PORTS a comma-separated list of ports 1..65535, * (pop3, http) or none", "gopher=70")]
    public async Task DissectBadValue_Exits64NamingIt(string expected, string value)
    {
        var (exitCode, stdout, stderr) = await Socks5dProcess.RunAsync("-p", "0", "--dissect", value);

        exitCode.Should().Be(64);
        stdout.Should().BeEmpty();
        stderr[0].Should().Be(expected);
    }

    private static void ShouldBeTheTwoLogins(string[][] records, int port, string protocol, string mechanism)
    {
        records.Should().HaveCount(2, "one record per login");
        foreach (var record in records)
        {
            record.Should().HaveCount(10);
            record[0].Should().MatchRegex(LogFile.TimestampPattern);
            record[1].Should().Be("u");
            record[2].Should().MatchRegex(@"^127\.0\.0\.1:\d+$");
            record[3].Should().Be("127.0.0.1");
            record[4].Should().Be($"127.0.0.1:{port}");
        }

        records[0][5..].Should().Equal(protocol, mechanism, LineServer.User, "wrong", "rejected");
        records[1][5..].Should().Equal(protocol, mechanism, LineServer.User, LineServer.Password, "accepted");
    }

    /// <summary>
    /// Starts socks5d dissecting <paramref name="port"/> as <paramref name="protocol"/>, logs in with a
    /// wrong password, then the right one (<paramref name="login"/> returns whether the login worked),
    /// stops socks5d and returns the credentials log.
    /// </summary>
    private async Task<string[][]> LogInTwiceAsync(string protocol, int port, Func<string, string, Task<bool>> login)
    {
        var credentials = Path.Combine(_dir, "credentials.log");
        await using var socks5d = Socks5dProcess.Start(
            ["-u", "u:p", "-p", "0", "--dissect", $"{protocol}={port}", "--credentials-log", credentials, "--access-log", Path.Combine(_dir, "access.log")]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        var proxyUrl = $"socks5h://u:p@127.0.0.1:{proxy.Port}";

        (await login(proxyUrl, "wrong")).Should().BeFalse("the server refuses the wrong password");
        (await login(proxyUrl, LineServer.Password)).Should().BeTrue("the server accepts the right password");
        await CredentialsLogProcessTests.StopAsync(socks5d);

        return LogFile.Records(credentials);
    }
}
