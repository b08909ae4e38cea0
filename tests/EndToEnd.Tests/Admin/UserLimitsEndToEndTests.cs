using System.Text.Json;
using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Admin;

/// <summary>
/// mcpctl users and set-limits, the real mcpctl against the real socks5d: limits saved to the users file, applied to the
/// next handshake, and statistics that match the access log after a scripted run with curl.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class UserLimitsEndToEndTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("socks5d-limits-e2e-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task SetLimitsAndUsers_ThroughRealMcpctl_MatchAccessLogAndUsersFile()
    {
        var usersFile = Path.Combine(_directory, "users");
        var accessLog = Path.Combine(_directory, "access.log");
        await using var web = new TinyWebServer(50_000);
        await using (var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--users-file", usersFile, "--access-log", accessLog, "--no-udp"))
        {
            foreach (var user in new[] { "alice", "bob", "carol" })
            {
                (await proxy.McpctlAsync("add-user", user, "pw-" + user)).ExitCode.Should().Be(0);
            }

            var set = await proxy.McpctlAsync("set-limits", "alice", "--sessions", "1", "--rate-down", "10MiB/s", "--quota", "50GiB/month");
            set.ExitCode.Should().Be(0, set.Stderr);
            set.StdoutLines.Should().Equal("limits of user 'alice': at most 1 sessions, up unlimited, down 10.0 MiB/s, quota 50.0 GiB/month");
            File.ReadAllText(usersFile).Should().StartWith("socks5d-users v2\n").And.Contain(" sessions=1 rate-down=10485760 quota=53687091200/month\n");

            var socks = $"127.0.0.1:{proxy.Socks.Port}";
            for (var i = 0; i < 3; i++)
            {
                (await Curl.RunAsync($"socks5h://alice:pw-alice@{socks}", $"http://127.0.0.1:{web.Port}/", ["-o", "/dev/null"])).ExitCode.Should().Be(0);
            }

            (await Curl.RunAsync($"socks5h://bob:pw-bob@{socks}", $"http://127.0.0.1:{web.Port}/", ["-o", "/dev/null"])).ExitCode.Should().Be(0);

            // alice's second session while the first is open: refused with REP 02 (user-limit).
            using (var held = await SocksTestClient.OpenTunnelAsync(proxy.Socks, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, web.Port), "alice", "pw-alice"))
            {
                using var refused = await SocksTestClient.ConnectAsync(proxy.Socks);
                await refused.NegotiateAsync("alice", "pw-alice");
                (await refused.RequestConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, web.Port))).Code.Should().Be(Socks.Core.Protocol.ReplyCode.ConnectionNotAllowed);
            }

            await LogFile.WaitForLinesAsync(accessLog, 6);
            var records = LogFile.Records(accessLog);
            records.Should().Contain(r => r[2] == "alice" && r[11] == "user-limit" && r[6] == "02");

            var json = await proxy.McpctlAsync("users", "--json");
            json.ExitCode.Should().Be(0, json.Stderr);
            using var document = JsonDocument.Parse(json.Stdout);
            var users = document.RootElement.GetProperty("users").EnumerateArray().ToList();
            users.Select(u => u.GetProperty("user").GetString()).Should().Equal("alice", "bob", "carol");
            foreach (var user in users)
            {
                var name = user.GetProperty("user").GetString();
                var mine = records.Where(r => r[2] == name).ToList();
                user.GetProperty("sessions").GetInt64().Should().Be(mine.Count, name);
                user.GetProperty("activeSessions").GetInt64().Should().Be(0);
                user.GetProperty("bytesUp").GetInt64().Should().Be(mine.Sum(r => long.Parse(r[7], System.Globalization.CultureInfo.InvariantCulture)), name);
                user.GetProperty("bytesDown").GetInt64().Should().Be(mine.Sum(r => long.Parse(r[8], System.Globalization.CultureInfo.InvariantCulture)), name);
                user.GetProperty("denials").GetInt64().Should().Be(mine.Count(r => r[11] is "denied" or "user-limit" or "quota"), name);
            }

            users[0].GetProperty("bytesDown").GetInt64().Should().BeGreaterThan(3 * 50_000);
            users[0].GetProperty("limits").GetProperty("rateDown").GetInt64().Should().Be(10 * 1024 * 1024);
            users[0].GetProperty("limits").GetProperty("period").GetString().Should().Be("month");
            users[2].GetProperty("lastLogin").ValueKind.Should().Be(JsonValueKind.Null, "carol never logged in");

            var table = await proxy.McpctlAsync("users");
            table.ExitCode.Should().Be(0, table.Stderr);
            table.StdoutLines[0].Should().MatchRegex("^USER +ACTIVE +SESSIONS +UP +DOWN +LAST LOGIN \\(UTC\\) +DENIED +MAX +RATE UP +RATE DOWN +QUOTA$");
            table.StdoutLines[1].Should().MatchRegex("^alice +0 +5 +.* +1 +1 +- +10\\.0 MiB/s +.* of 50\\.0 GiB/month$");
            table.StdoutLines[3].Should().MatchRegex("^carol +0 +0 +0 B +0 B +never +0 +- +- +- +-$");
        }

        // Limits survive a restart: they are in the users file.
        await using var again = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--users-file", usersFile, "--no-udp");
        var after = await again.McpctlAsync("users", "--json");
        using var reread = JsonDocument.Parse(after.Stdout);
        reread.RootElement.GetProperty("users")[0].GetProperty("limits").GetProperty("maxSessions").GetInt64().Should().Be(1);
        reread.RootElement.GetProperty("users")[0].GetProperty("sessions").GetInt64().Should().Be(0, "statistics count from the start");
    }

    [TestCase("user")]
    [TestCase("splice")]
    public async Task Quota_CurlDownloadLargerThanQuota_IsCutAndTheNextRefused(string relay)
    {
        var accessLog = Path.Combine(_directory, "access.log");
        await using var web = new TinyWebServer(20L << 20);
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "metered:pw", "--access-log", accessLog, "--relay", relay, "--no-udp");
        (await proxy.McpctlAsync("set-limits", "metered", "--quota", "1MiB/day")).ExitCode.Should().Be(0);
        var url = $"http://127.0.0.1:{web.Port}/";
        var socks = $"socks5h://metered:pw@127.0.0.1:{proxy.Socks.Port}";

        var (cut, output) = await Curl.RunAsync(socks, url, ["-o", "/dev/null", "-w", "%{size_download}"]);

        cut.Should().NotBe(0, "curl sees the transfer end early");
        long.Parse(output, System.Globalization.CultureInfo.InvariantCulture).Should().BeLessThan(20L << 20);
        await LogFile.WaitForLinesAsync(accessLog, 1);
        var record = LogFile.Records(accessLog).Single();
        record[2].Should().Be("metered");
        record[6].Should().Be("00");
        record[11].Should().Be("quota");
        (long.Parse(record[7], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(record[8], System.Globalization.CultureInfo.InvariantCulture))
            .Should().BeGreaterThanOrEqualTo(1L << 20);

        var (refused, _) = await Curl.RunAsync(socks, url, ["-o", "/dev/null"]);
        refused.Should().Be(97, "curl: (97) Can't complete SOCKS5 connection ... (2): REP 02");
        await LogFile.WaitForLinesAsync(accessLog, 2);
        LogFile.Records(accessLog)[1][6..].Take(1).Should().Equal("02");
        LogFile.Records(accessLog)[1][11].Should().Be("quota");

        var json = await proxy.McpctlAsync("users", "--json");
        using var document = JsonDocument.Parse(json.Stdout);
        var user = document.RootElement.GetProperty("users")[0];
        user.GetProperty("quotaUsed").GetInt64().Should().BeGreaterThanOrEqualTo(1L << 20);
        user.GetProperty("denials").GetInt64().Should().Be(1);
    }
}
