using System.Net;
using System.Net.Sockets;

namespace EndToEnd.Tests.Logs;

/// <summary>
/// docs/fail2ban/ against the access log of the real socks5d: the real <c>fail2ban-regex</c> finds exactly the wrong
/// logins (from distinct loopback addresses, IPv6 included) among good logins and every other kind of failed session,
/// and the real <c>fail2ban-client</c> accepts the shipped jail. The passwords of the wrong logins appear nowhere.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class Fail2banTests
{
    private static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Third = IPAddress.Parse("127.0.0.3");
    private static readonly IPAddress Fourth = IPAddress.Parse("127.0.0.4");

    // A name that, were it not escaped, would forge the last fields of the record (a client and auth-failed).
    private const string ForgingName = "x\t127.0.0.9:1\t-\t-\t-\t0\t0\t1\t-\tauth-failed";

    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "socks5d-fail2ban-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Fail2banRegex_LogOfMixedSessions_MatchesExactlyTheWrongLogins()
    {
        await using var echo = new EchoServer();
        var path = Path.Combine(_dir, "access.log");
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-u", "auth-failed:pw", "-p", "0", "--access-log", path]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        var proxy6 = new IPEndPoint(IPAddress.IPv6Loopback, proxy.Port);

        (IPEndPoint Proxy, IPAddress From, string User, string Password)[] wrong =
        [
            (proxy, Second, "user", "wrong-password-1"),
            (proxy, Second, "user", "wrong-password-2"),
            (proxy, Second, "nobody", "pass"),
            (proxy, Third, "admin", "admin-guess"),
            (proxy, Third, "root", "root-guess"),
            (proxy, Fourth, ForgingName, "forging-guess"),
            (proxy6, IPAddress.IPv6Loopback, "user", "wrong-over-ipv6"),
        ];
        var sessions = new List<string>();
        var wrongClients = new List<string>();
        foreach (var (server, from, user, password) in wrong)
        {
            using var client = await SocksTestClient.ConnectAsync(server, from);
            (await client.AuthenticateAsync(user, password)).Should().Be(0x01, "the password is wrong");
            (await client.IsClosedByPeerAsync()).Should().BeTrue();
            wrongClients.Add(LogFile.Endpoint(client.Socket.LocalEndPoint!));
        }

        sessions.AddRange(wrongClients);

        // Good logins, one from an address that also failed, one by a user whose name is the reason's token.
        foreach (var (from, user, password) in new[] { (Second, "user", "pass"), (IPAddress.Parse("127.0.0.5"), "auth-failed", "pw") })
        {
            using var client = await SocksTestClient.ConnectAsync(proxy, from);
            await client.NegotiateAsync(user, password);
            (await client.RequestConnectAsync(echo.EndPoint)).Code.Should().Be(Socks.Core.Protocol.ReplyCode.Succeeded);
            await client.SendAsync("ping");
            (await client.ReceiveExactlyAsync(4)).Should().Equal("ping"u8.ToArray());
            client.Socket.Shutdown(SocketShutdown.Send);
            await client.ShouldBeClosedAsync();
            sessions.Add(LogFile.Endpoint(client.Socket.LocalEndPoint!));
        }

        // No acceptable method, a SOCKS4 client, a client that hangs up at once.
        var others = new (string From, byte[] Greeting, byte[] Answer)[]
        {
            ("127.0.0.6", [0x05, 0x01, 0x00], [0x05, 0xFF]),
            ("127.0.0.7", [0x04, 0x01, 0x00, 0x50, 127, 0, 0, 1, 0], []),
            ("127.0.0.8", [], []),
        };
        foreach (var (from, greeting, answer) in others)
        {
            using var client = await SocksTestClient.ConnectAsync(proxy, IPAddress.Parse(from));
            if (greeting.Length > 0)
            {
                await client.SendAsync(greeting);
            }
            else
            {
                client.Socket.Shutdown(SocketShutdown.Send);
            }

            (await client.ReadToEndAsync()).Should().Equal(answer);
            sessions.Add(LogFile.Endpoint(client.Socket.LocalEndPoint!));
        }

        // Every session has its record before the stop, so none can be cut off by it.
        await LogFile.WaitForLinesAsync(path, sessions.Count);
        await CredentialsLogProcessTests.StopAsync(socks5d);

        var records = LogFile.Records(path);
        records.Should().HaveCount(sessions.Count);
        records.ToList().ForEach(LogFile.ShouldBeWellFormedAccessRecord);
        records.Select(r => r[3]).Should().BeEquivalentTo(sessions);
        var reasons = records.ToDictionary(r => r[3], r => r[11]);
        sessions.Skip(wrong.Length).Select(s => reasons[s]).Should().Equal(
            "ok", "ok", "no-acceptable-method", "bad-version", "client-closed");

        var result = await Fail2ban.RegexAsync("-o", "<ip>\t<F-USER>", path, RepositoryFiles.Find("docs/fail2ban/filter.d/socks5d.conf"));

        result.ExitCode.Should().Be(0, result.Stderr);
        result.StdoutLines.Select(line => line.Split('\t')).Select(f => (Ip: f[0], User: f[1])).Should().BeEquivalentTo(
        [
            ("127.0.0.2", "user"), ("127.0.0.2", "user"), ("127.0.0.2", "nobody"), ("127.0.0.3", "admin"), ("127.0.0.3", "root"),
            ("127.0.0.4", @"x\t127.0.0.9:1\t-\t-\t-\t0\t0\t1\t-\tauth-failed"), ("::1", "user"),
        ], "fail2ban finds each wrong login, and only those");

        // One warning per wrong login on the diagnostic log, naming the client and the (escaped) name.
        var warnings = socks5d.StandardError.Where(line => line.Contains("authentication failed for user", StringComparison.Ordinal)).ToList();
        warnings.Should().HaveCount(wrong.Length).And.OnlyContain(line => line.Contains("warn", StringComparison.Ordinal));
        for (var i = 0; i < wrong.Length; i++)
        {
            var name = wrong[i].User.Replace("\t", @"\x09", StringComparison.Ordinal);
            warnings.Should().ContainSingle(line => line.EndsWith($"authentication failed for user \"{name}\" from {wrongClients[i]}", StringComparison.Ordinal));
        }

        // The passwords tried go nowhere: not the access log, not the diagnostic log, not standard output.
        var everything = string.Join('\n', [File.ReadAllText(path), .. socks5d.StandardError, .. socks5d.StandardOutput]);
        foreach (var (_, _, _, password) in wrong)
        {
            everything.Should().NotContain(password);
        }
    }

    [Test]
    public async Task Fail2banClient_ShippedJailAndFilter_PassTheConfigurationTestWithTheDocumentedSettings()
    {
        // A copy of the system's configuration with the two shipped files dropped in, as the README installs them;
        // the log path is overridden in a .local file, as an operator with another path would do.
        var conf = Path.Combine(_dir, "fail2ban");
        CopyDirectory("/etc/fail2ban", conf);

        // Without the distribution's own jails (Debian enables sshd, whose log a test machine may not have).
        foreach (var jail in Directory.EnumerateFiles(Path.Combine(conf, "jail.d")))
        {
            File.Delete(jail);
        }

        File.Copy(RepositoryFiles.Find("docs/fail2ban/filter.d/socks5d.conf"), Path.Combine(conf, "filter.d", "socks5d.conf"), overwrite: true);
        File.Copy(RepositoryFiles.Find("docs/fail2ban/jail.d/socks5d.conf"), Path.Combine(conf, "jail.d", "socks5d.conf"), overwrite: true);
        var log = Path.Combine(_dir, "access.log");
        await File.WriteAllTextAsync(log, string.Empty);
        await File.WriteAllTextAsync(Path.Combine(conf, "jail.d", "socks5d.local"), $"[socks5d]\nlogpath = {log}\n");

        var test = await Fail2ban.ClientAsync("-c", conf, "--test");
        var dump = await Fail2ban.ClientAsync("-c", conf, "-d");

        test.ExitCode.Should().Be(0, test.Stdout + test.Stderr);
        test.Stdout.Should().Contain("OK: configuration test is successful");
        dump.ExitCode.Should().Be(0, dump.Stderr);
        dump.StdoutLines.Should().Contain(
        [
            "['add', 'socks5d', 'auto']",
            "['set', 'socks5d', 'usedns', 'no']",
            "['set', 'socks5d', 'maxretry', 5]",
            "['set', 'socks5d', 'findtime', '10m']",
            "['set', 'socks5d', 'bantime', '1h']",
            $"['set', 'socks5d', 'addlogpath', '{log}', 'head']",
        ]);
        dump.Stdout.Should().Contain("auth-failed$");
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
