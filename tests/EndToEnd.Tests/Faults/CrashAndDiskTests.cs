using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Faults;

/// <summary>
/// Issue 17, item 3: what a crash or a full disk may not break. SIGKILL right after each of 20 ADD_USER OK replies
/// loses no acknowledged user; SIGKILL leaves the access log whole up to its last written record; a full disk under
/// both logs leaves sessions (and the dissector) working and both files holding whole records only.
/// </summary>
[CancelAfter(TestTimeouts.LongTestMilliseconds)]
[SupportedOSPlatform("linux")]
public sealed class CrashAndDiskTests
{
    private const int Kills = 20;
    private const int Chains = 2;

    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("socks5d-faults-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Sigkill_RightAfterEachOf20AddUserOk_EveryAcknowledgedUserIsThereOnRestart()
    {
        // Two users files killed ten times each, side by side (a start and a PBKDF2 derivation per kill).
        await Task.WhenAll(Enumerable.Range(0, Chains).Select(chain => KillAfterEachAddUserAsync(Path.Combine(_dir, $"users{chain}"), Kills / Chains)));
    }

    private static async Task KillAfterEachAddUserAsync(string usersFile, int kills)
    {
        var acknowledged = new List<string>();
        for (var i = 0; i < kills; i++)
        {
            await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--users-file", usersFile, "--max-users", "100");
            await using (var admin = await proxy.ConnectMcpAsync())
            {
                var users = (await admin.ListUsersAsync().WaitAsync(TestTimeouts.Generous)).Select(u => System.Text.Encoding.UTF8.GetString(u));
                users.Should().BeEquivalentTo(acknowledged, $"every user acknowledged before kill {i} is back");
                await admin.AddUserAsync($"user{i}", $"pw{i}").WaitAsync(TestTimeouts.Generous);
                acknowledged.Add($"user{i}");
            }

            // No grace: the OK reply must mean the user is on disk.
            proxy.Process.Signal(Socks5dProcess.SIGKILL);
            (await proxy.Process.WaitForExitAsync()).Should().Be(128 + Socks5dProcess.SIGKILL);
        }

        await using var echo = new EchoServer();
        await using var last = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--users-file", usersFile, "--max-users", "100");
        await last.Process.WaitForLineAsync(line => line.Contains($"Users: {kills} from users file {usersFile}", StringComparison.Ordinal));
        using var tunnel = await SocksTestClient.TryOpenAsync(last.Socks, echo.EndPoint, $"user{kills - 1}", $"pw{kills - 1}");
        tunnel.Should().NotBeNull("the last user, added right before a kill, authenticates");
    }

    [Test]
    public async Task Sigkill_WhileSessionsEnd_AccessLogIsWholeUpToItsLastRecord()
    {
        const int Written = 20;
        const int InFlight = 30;
        var path = Path.Combine(_dir, "access.log");
        await using var echo = new EchoServer();
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--access-log", path]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        for (var i = 0; i < Written; i++)
        {
            await PingAsync(proxy, echo.EndPoint);
        }

        await LogFile.WaitForLinesAsync(path, Written);

        // More sessions ending while the process is killed: their records are written, half written, or not at all.
        var tunnels = await Task.WhenAll(Enumerable.Range(0, InFlight).Select(_ => SocksTestClient.OpenAsync(proxy, echo.EndPoint)));
        foreach (var tunnel in tunnels)
        {
            tunnel.Dispose();
        }

        socks5d.Signal(Socks5dProcess.SIGKILL);
        (await socks5d.WaitForExitAsync()).Should().Be(128 + Socks5dProcess.SIGKILL);

        var text = await File.ReadAllTextAsync(path);
        text.Should().EndWith("\n", "a record is written whole or not at all");
        var lines = text.TrimEnd('\n').Split('\n');
        lines.Length.Should().BeInRange(Written, Written + InFlight, "every record flushed before the kill is there");
        lines.Should().AllSatisfy(line => LogFile.ShouldBeWellFormedAccessRecord(line.Split('\t')));
    }

    [Test]
    public async Task DiskFull_UnderBothLogs_SessionsAndDissectorContinue_BothFilesHoldWholeRecords()
    {
        using var disk = SmallTmpfs.Mount();
        var access = Path.Combine(disk.Path, "access.log");
        var credentials = Path.Combine(disk.Path, "credentials.log");
        await using var pop3 = new Pop3TestServer();
        await using var socks5d = Socks5dProcess.Start(
            ["-u", "u:p", "-p", "0", "--pop3-ports", pop3.Port.ToString(), "--access-log", access, "--credentials-log", credentials]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        (await CurlPop3Async(proxy.Port, pop3.Port)).Should().Be((0, "1 120\r\n"));
        await LogFile.WaitForLinesAsync(credentials, 1);
        await LogFile.WaitForLinesAsync(access, 1);

        // More records than fit in what is left of each log's last page (a POP3 session writes to both logs).
        disk.Fill();
        for (var i = 0; i < 40; i++)
        {
            (await CurlPop3Async(proxy.Port, pop3.Port)).Should().Be((0, "1 120\r\n"), "sessions work while neither log can be written");
        }

        disk.FreeSpace();
        (await CurlPop3Async(proxy.Port, pop3.Port)).Should().Be((0, "1 120\r\n"));
        socks5d.Signal(Socks5dProcess.SIGTERM);
        (await socks5d.WaitForExitAsync()).Should().Be(0);

        foreach (var log in new[] { access, credentials })
        {
            var text = await File.ReadAllTextAsync(log);
            text.Should().EndWith("\n", $"{log} holds whole records");
            text.TrimEnd('\n').Split('\n').Should().AllSatisfy(line => line.Split('\t').Length.Should().BeGreaterThan(5, $"a whole record in {log}: {line}"));
        }

        LogFile.Records(access).Should().AllSatisfy(LogFile.ShouldBeWellFormedAccessRecord);
        socks5d.StandardError.Should().Contain(line => line.Contains($"The access log cannot be written to {access}", StringComparison.Ordinal));
        socks5d.StandardError.Should().Contain(line => line.Contains($"cannot be written to {credentials}", StringComparison.Ordinal));
    }

    private static Task<(int ExitCode, string Output)> CurlPop3Async(int proxyPort, int pop3Port) =>
        Curl.RunAsync($"socks5h://u:p@127.0.0.1:{proxyPort}", $"pop3://{Pop3TestServer.User}:{Pop3TestServer.Password}@127.0.0.1:{pop3Port}/");

    private static async Task PingAsync(IPEndPoint proxy, IPEndPoint target)
    {
        using var tunnel = await SocksTestClient.OpenAsync(proxy, target);
        await tunnel.SendAsync("ping"u8.ToArray());
        (await tunnel.ReceiveAsync(4)).Should().Equal("ping"u8.ToArray());
        tunnel.Socket.Shutdown(SocketShutdown.Send);
        (await tunnel.IsClosedByPeerAsync()).Should().BeTrue();
    }
}
