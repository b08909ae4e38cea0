using System.Diagnostics;
using System.Runtime.Versioning;
using EndToEnd.Tests.Support;
using Mcp.Protocol;

namespace EndToEnd.Tests.Fleet;

/// <summary>
/// Three real socks5d nodes on one real redis-server (docs/fleet.md): a user added on one node logs in on another within
/// a second, a user removed on one node loses its sessions on every node within a second, and the nodes keep serving
/// from their snapshots while Redis is down and follow again when it is back; a real HAProxy in mode tcp spreads curl over them.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
[SupportedOSPlatform("linux")]
[NonParallelizable]
public sealed class FleetEndToEndTests
{
    /// <summary>What issue 15 promises: every node applies every change within this.</summary>
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(1);

    private const int SIGUSR1 = 10;

    private string _directory = "";

    [SetUp]
    public void CreateDirectory() =>
        // Under the test's own work directory, not /tmp: redis keeps its append-only file there for the whole test.
        _directory = System.IO.Directory.CreateDirectory(Path.Combine(TestContext.CurrentContext.WorkDirectory, "fleet-" + Guid.NewGuid().ToString("N"))).FullName;

    [TearDown]
    public void DeleteDirectory() => System.IO.Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task ThreeNodes_AddOnA_LogsInOnC_RemoveOnB_ClosesSessionsOnAAndC_RedisDown_KeepsServing_RedisBack_Follows()
    {
        await using var redis = await RedisServer.StartAsync(Path.Combine(_directory, "redis"));
        await using var echo = new EchoServer();
        await using var web = new TinyWebServer();
        var prefix = "fleet-" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var a = await StartNodeAsync(redis, prefix);
        await using var b = await StartNodeAsync(redis, prefix);
        await using var c = await StartNodeAsync(redis, prefix);
        using var mcpC = await c.ConnectMcpAsync();

        // Added on A (the OK comes after Redis acknowledged it), known to C within a second, and C lets alice in.
        (await a.McpctlAsync("add-user", "alice", "alice-pw")).ExitCode.Should().Be(0);
        var added = Stopwatch.StartNew();
        await WaitUntilAsync(async () => (await mcpC.ListUsersAsync()).Any(name => name.AsSpan().SequenceEqual("alice"u8)), Propagation, "node C lists alice");
        TestContext.Progress.WriteLine($"fleet: add on A seen on C after {added.ElapsedMilliseconds} ms");
        (await Curl.RunAsync($"socks5h://alice:alice-pw@{c.Socks}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body));
        (await b.McpctlAsync("add-user", "alice", "other-pw")).ExitCode.Should().NotBe(0, "the name is taken in Redis, for the whole fleet");

        // Sessions of alice on A and on C; removed on B; both closed within a second.
        using var onA = await SocksTestClient.TryOpenAsync(a.Socks, echo.EndPoint, "alice", "alice-pw");
        using var onC = await SocksTestClient.TryOpenAsync(c.Socks, echo.EndPoint, "alice", "alice-pw");
        onA.Should().NotBeNull();
        onC.Should().NotBeNull();
        (await b.McpctlAsync("remove-user", "alice")).ExitCode.Should().Be(0);
        var removed = Stopwatch.StartNew();
        var closedA = onA!.IsClosedByPeerAsync();
        var closedC = onC!.IsClosedByPeerAsync();
        (await closedA).Should().BeTrue("alice's session on A is ended");
        (await closedC).Should().BeTrue("alice's session on C is ended");
        removed.Elapsed.Should().BeLessThan(Propagation, "a removal reaches every node within a second");
        TestContext.Progress.WriteLine($"fleet: remove on B closed the sessions on A and C after {removed.ElapsedMilliseconds} ms");
        (await SocksTestClient.TryOpenAsync(a.Socks, echo.EndPoint, "alice", "alice-pw")).Should().BeNull("alice is gone on A too");

        // Redis dies: users known before still log in on every node; changes are refused, not half made.
        (await c.McpctlAsync("add-user", "bob", "bob-pw")).ExitCode.Should().Be(0);
        foreach (var node in new[] { a, b })
        {
            var nodeMcp = node;
            using var client = await nodeMcp.ConnectMcpAsync();
            await WaitUntilAsync(async () => (await client.ListUsersAsync()).Any(name => name.AsSpan().SequenceEqual("bob"u8)), Propagation, "every node lists bob");
        }

        await redis.KillAsync();
        await a.Process.WaitForLineAsync(line => line.Contains("is unreachable", StringComparison.Ordinal));
        foreach (var node in new[] { a, b, c })
        {
            (await Curl.RunAsync($"socks5h://bob:bob-pw@{node.Socks}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body),
                "a node serves from its snapshot while Redis is down");
        }

        (await a.McpctlAsync("add-user", "carol", "carol-pw")).ExitCode.Should().NotBe(0, "Redis cannot acknowledge a change while it is down");

        // Redis is back (with what it acknowledged, from its append-only file): a change made now reaches every node.
        await redis.StartAgainAsync();
        await WaitUntilAsync(async () => (await a.McpctlAsync("add-user", "carol", "carol-pw")).ExitCode == 0, TestTimeouts.Generous, "node A adds carol once Redis is back");
        var back = Stopwatch.StartNew();
        await WaitUntilAsync(async () => (await mcpC.ListUsersAsync()).Any(name => name.AsSpan().SequenceEqual("carol"u8)), Propagation, "node C lists carol");
        TestContext.Progress.WriteLine($"fleet: after the Redis restart, add on A seen on C after {back.ElapsedMilliseconds} ms");
        (await Curl.RunAsync($"socks5h://carol:carol-pw@{b.Socks}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body));
        (await Curl.RunAsync($"socks5h://bob:bob-pw@{c.Socks}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body),
            "bob, acknowledged before the crash, survived it");
    }

    [Test]
    public async Task RedisOfflineRefuse_RedisDown_RefusesNewLogins_ShowsItInTheGauge_AndServesAgainWhenItIsBack()
    {
        await using var redis = await RedisServer.StartAsync(Path.Combine(_directory, "redis"));
        await using var web = new TinyWebServer();
        await using var node = await StartNodeAsync(redis, "refuse-" + Guid.NewGuid().ToString("N")[..8] + ":", "--redis-offline", "refuse", "--metrics-listen", "127.0.0.1:0");
        var metricsLine = await node.Process.WaitForLineAsync(line => line.Contains("Prometheus text format at ", StringComparison.Ordinal));
        var metrics = new Uri(metricsLine[(metricsLine.IndexOf("http://", StringComparison.Ordinal))..].Trim());
        using var http = new HttpClient { Timeout = TestTimeouts.Generous };
        (await node.McpctlAsync("add-user", "dave", "dave-pw")).ExitCode.Should().Be(0);
        (await Curl.RunAsync($"socks5h://dave:dave-pw@{node.Socks}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body));
        (await http.GetStringAsync(metrics)).Should().Contain("\nsocks_redis_connected 1");

        await redis.KillAsync();
        await node.Process.WaitForLineAsync(line => line.Contains("is unreachable", StringComparison.Ordinal) && line.Contains("refused", StringComparison.Ordinal));
        (await Curl.RunAsync($"socks5h://dave:dave-pw@{node.Socks}", $"http://127.0.0.1:{web.Port}/")).ExitCode.Should().NotBe(0, "--redis-offline refuse");
        (await http.GetStringAsync(metrics)).Should().Contain("\nsocks_redis_connected 0");
        node.Process.Signal(SIGUSR1);
        await node.Process.WaitForLineAsync(line => line.Contains("SIGUSR1: redis unreachable, users version 1 (1 users in the snapshot)", StringComparison.Ordinal));

        await redis.StartAgainAsync();
        await node.Process.WaitForLineAsync(line => line.Contains("is reachable again", StringComparison.Ordinal));
        (await Curl.RunAsync($"socks5h://dave:dave-pw@{node.Socks}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body));
    }

    [Test]
    public async Task Haproxy_ModeTcp_InFrontOfThreeNodes_CurlThroughIt_EveryNodeServes_AUserAddedOnOne()
    {
        await using var redis = await RedisServer.StartAsync(Path.Combine(_directory, "redis"));
        await using var web = new TinyWebServer();
        var prefix = "haproxy-" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var a = await StartNodeAsync(redis, prefix);
        await using var b = await StartNodeAsync(redis, prefix);
        await using var c = await StartNodeAsync(redis, prefix);
        await using var haproxy = await HaproxyServer.StartAsync(Path.Combine(_directory, "haproxy"), [a.Socks, b.Socks, c.Socks]);
        (await a.McpctlAsync("add-user", "erin", "erin-pw")).ExitCode.Should().Be(0);
        foreach (var node in new[] { b, c })
        {
            using var client = await node.ConnectMcpAsync();
            await WaitUntilAsync(async () => (await client.ListUsersAsync()).Any(name => name.AsSpan().SequenceEqual("erin"u8)), Propagation, "every node lists erin");
        }

        for (var i = 0; i < 3; i++)
        {
            (await Curl.RunAsync($"socks5h://erin:erin-pw@{haproxy.EndPoint}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body));
        }

        // Round robin: each of the three requests went to another node, and each node let erin in.
        foreach (var node in new[] { a, b, c })
        {
            using var client = await node.ConnectMcpAsync();
            (await client.GetMetricsAsync()).SuccessfulConnections.Should().Be(1UL, $"node {node.Socks} served one of the three requests");
        }

        // Limits set over MCP on node B are written to erin's record in Redis and reach node C too.
        using (var mcpB = await b.ConnectMcpAsync())
        {
            await mcpB.SetLimitsAsync("erin"u8.ToArray(), new McpUserLimits(2, 0, 1_000_000, 0, McpQuotaPeriod.None));
        }

        using var mcpC = await c.ConnectMcpAsync();
        await WaitUntilAsync(async () => (await mcpC.GetLimitsAsync("erin"u8.ToArray())).Limits == new McpUserLimits(2, 0, 1_000_000, 0, McpQuotaPeriod.None),
            Propagation, "node C has erin's new limits");
        (await Curl.RunAsync($"socks5h://erin:erin-pw@{c.Socks}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body), "a limits change keeps the password");
    }

    [Test]
    public async Task SessionLimitOf2_HoldsAcrossNodes_AClosedSessionFreesAPlace_AKilledNodesLeasesExpire()
    {
        await using var redis = await RedisServer.StartAsync(Path.Combine(_directory, "redis"));
        await using var echo = new EchoServer();
        var prefix = "leases-" + Guid.NewGuid().ToString("N")[..8] + ":";
        var lease = TimeSpan.FromSeconds(2);
        var accessLog = Path.Combine(_directory, "access-c.log");
        await using var a = await StartNodeAsync(redis, prefix, "--redis-lease-time", "2s");
        await using var b = await StartNodeAsync(redis, prefix, "--redis-lease-time", "2s");
        await using var c = await StartNodeAsync(redis, prefix, "--redis-lease-time", "2s", "--access-log", accessLog);
        (await a.McpctlAsync("add-user", "fay", "fay-pw")).ExitCode.Should().Be(0);
        (await a.McpctlAsync("set-limits", "fay", "--sessions", "2")).ExitCode.Should().Be(0);
        foreach (var node in new[] { b, c })
        {
            using var client = await node.ConnectMcpAsync();
            await WaitUntilAsync(async () => (await client.GetLimitsAsync("fay"u8.ToArray())).Limits.MaxSessions == 2, Propagation, "every node has fay's limit");
        }

        // One session through A, one through B: each node alone would let a second one in, the fleet does not.
        var onA = await SocksTestClient.OpenTunnelAsync(a.Socks, echo.EndPoint, "fay", "fay-pw");
        using var onB = await SocksTestClient.OpenTunnelAsync(b.Socks, echo.EndPoint, "fay", "fay-pw");
        (await ConnectReplyAsync(c, echo, "fay", "fay-pw")).Should().Be(Socks.Core.Protocol.ReplyCode.ConnectionNotAllowed, "two of fay's sessions are open in the fleet");

        // Longer than a lease: the places held are renewed, not expired.
        await Task.Delay(lease + lease / 4);
        (await ConnectReplyAsync(c, echo, "fay", "fay-pw")).Should().Be(Socks.Core.Protocol.ReplyCode.ConnectionNotAllowed, "open sessions keep their leases");
        await LogFile.WaitForLinesAsync(accessLog, 2);
        LogFile.Records(accessLog).Take(2).Should().OnlyContain(r => r[2] == "fay" && r[11] == "user-limit" && r[6] == "02");

        // The session on A ends: its lease is given back, and C lets fay in (well before the lease would expire).
        onA.Dispose();
        var freed = Stopwatch.StartNew();
        SocksTestClient? onC = null;
        // Within a second: an expiry would take at least two thirds of the lease time after the last renewal.
        await WaitUntilAsync(async () => (onC = await TryConnectAsync(c, echo, "fay", "fay-pw")) is not null, lease / 2, "node C admits fay once her session on A closed");
        TestContext.Progress.WriteLine($"fleet: a closed session's place was free on C after {freed.ElapsedMilliseconds} ms");
        using var third = onC!;
        (await ConnectReplyAsync(a, echo, "fay", "fay-pw")).Should().Be(Socks.Core.Protocol.ReplyCode.ConnectionNotAllowed, "B and C hold fay's two places");

        // Node B dies without giving its lease back: the lease expires, and A lets fay in again.
        b.Process.Signal(Socks5dProcess.SIGKILL);
        await b.Process.WaitForExitAsync();
        var killed = Stopwatch.StartNew();
        SocksTestClient? again = null;
        await WaitUntilAsync(async () => (again = await TryConnectAsync(a, echo, "fay", "fay-pw")) is not null, lease * 3, "node A admits fay once the dead node's lease expired");
        TestContext.Progress.WriteLine($"fleet: a killed node's lease expired after {killed.ElapsedMilliseconds} ms (lease time {lease.TotalMilliseconds} ms)");
        again!.Dispose();
    }

    [Test]
    public async Task FleetStatistics_TrafficOnAAndB_McpctlOnC_ShowsTheSums_CsShareZero_AKilledNodesActivesDropOut_ItsTotalsStay()
    {
        await using var redis = await RedisServer.StartAsync(Path.Combine(_directory, "redis"));
        await using var echo = new EchoServer();
        var prefix = "stats-" + Guid.NewGuid().ToString("N")[..8] + ":";
        var interval = TimeSpan.FromMilliseconds(300);
        await using var a = await StartNodeAsync(redis, prefix, "--redis-stats-interval", "300ms");
        await using var b = await StartNodeAsync(redis, prefix, "--redis-stats-interval", "300ms");
        await using var c = await StartNodeAsync(redis, prefix, "--redis-stats-interval", "300ms");
        (await a.McpctlAsync("add-user", "gus", "gus-pw")).ExitCode.Should().Be(0);
        foreach (var other in new[] { b, c })
        {
            using var client = await other.ConnectMcpAsync();
            await WaitUntilAsync(async () => (await client.ListUsersAsync()).Any(name => name.AsSpan().SequenceEqual("gus"u8)), Propagation, "every node lists gus");
        }

        // Known sizes through A (two sessions) and B (one closed, one left open): each byte echoed, so up = down.
        await EchoSessionAsync(a, echo, 10_000);
        await EchoSessionAsync(a, echo, 20_000);
        await EchoSessionAsync(b, echo, 40_000);
        using var open = await SocksTestClient.OpenTunnelAsync(b.Socks, echo.EndPoint, "gus", "gus-pw");
        await open.SendAsync(new byte[1_000]);
        await open.ReceiveExactlyAsync(1_000);
        const long Bytes = 10_000 + 20_000 + 40_000 + 1_000;

        // mcpctl on C (which carried nothing): the fleet's sums once the flushes landed, C's own share 0.
        var fleet = await WaitForFleetAsync(c, f => f.Sessions == 4 && f.BytesUp == Bytes && f.BytesDown == Bytes && f.Active == 1, "C shows the fleet's sums");
        fleet.LastLogin.Should().BeGreaterThan(0);
        var (_, share) = await UsersJsonAsync(c);
        share.Should().Be(new Counters(0, 0, 0, 0, 0), "C carried none of gus's traffic");
        var table = await c.McpctlAsync("users");
        table.Stdout.Should().Contain("ACTIVE (NODE)").And.MatchRegex(@"gus\s+1 \(0\)\s+4 \(0\)\s+69\.3 KiB \(0 B\)");

        // B is killed with its session open: its active session drops out after three intervals; its totals stay.
        b.Process.Signal(Socks5dProcess.SIGKILL);
        await b.Process.WaitForExitAsync();
        var killed = Stopwatch.StartNew();
        fleet = await WaitForFleetAsync(c, f => f.Active == 0, "the killed node's session leaves the fleet's count");
        TestContext.Progress.WriteLine($"fleet: a killed node's active sessions dropped out after {killed.ElapsedMilliseconds} ms (interval {interval.TotalMilliseconds} ms, expiry 3 intervals)");
        fleet.Should().Be(new Counters(0, 4, Bytes, Bytes, fleet.LastLogin), "what B flushed before it died stays");
    }

    [Test]
    public async Task FleetStatistics_ANodeThatStopsCleanly_FlushesItsLastCountsOnTheWayOut()
    {
        await using var redis = await RedisServer.StartAsync(Path.Combine(_directory, "redis"));
        await using var echo = new EchoServer();
        var prefix = "stop-" + Guid.NewGuid().ToString("N")[..8] + ":";
        // A's timer would flush only after an hour: what reaches Redis is its last flush at the stop.
        await using var a = await StartNodeAsync(redis, prefix, "--redis-stats-interval", "1h", "--drain-timeout", "1s");
        await using var c = await StartNodeAsync(redis, prefix);
        (await a.McpctlAsync("add-user", "gus", "gus-pw")).ExitCode.Should().Be(0);
        await EchoSessionAsync(a, echo, 5_000);
        using (var client = await c.ConnectMcpAsync())
        {
            await WaitUntilAsync(async () => (await client.ListUsersAsync()).Any(name => name.AsSpan().SequenceEqual("gus"u8)), Propagation, "C lists gus");
        }

        (await UsersJsonAsync(c)).Fleet.Sessions.Should().Be(0, "A has not flushed yet");

        a.Process.Signal(Socks5dProcess.SIGTERM);
        (await a.Process.WaitForExitAsync()).Should().Be(0);

        var (fleet, _) = await UsersJsonAsync(c);
        (fleet.Sessions, fleet.BytesUp, fleet.BytesDown, fleet.Active).Should().Be((1L, 5_000L, 5_000L, 0L), "A flushed on its way out");
    }

    private sealed record Counters(long Active, long Sessions, long BytesUp, long BytesDown, long LastLogin);

    /// <summary>One session of gus through <paramref name="node"/>: <paramref name="size"/> bytes to the echo server and back, then closed.</summary>
    private static async Task EchoSessionAsync(RunningProxy node, EchoServer echo, int size)
    {
        using var client = await SocksTestClient.OpenTunnelAsync(node.Socks, echo.EndPoint, "gus", "gus-pw");
        await client.SendAsync(new byte[size]);
        await client.ReceiveExactlyAsync(size);
    }

    /// <summary>The real mcpctl's <c>users --json</c> against <paramref name="node"/>: gus's fleet and node counters.</summary>
    private static async Task<(Counters Fleet, Counters Node)> UsersJsonAsync(RunningProxy node)
    {
        var result = await node.McpctlAsync("users", "--json");
        result.ExitCode.Should().Be(0, result.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var gus = json.RootElement.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("user").GetString() == "gus");
        return (Read(gus.GetProperty("fleet")), Read(gus.GetProperty("node")));

        static Counters Read(System.Text.Json.JsonElement e) => new(
            e.GetProperty("activeSessions").GetInt64(), e.GetProperty("sessions").GetInt64(), e.GetProperty("bytesUp").GetInt64(),
            e.GetProperty("bytesDown").GetInt64(), e.GetProperty("lastLogin").ValueKind == System.Text.Json.JsonValueKind.Null ? 0 : e.GetProperty("lastLogin").GetInt64());
    }

    private static async Task<Counters> WaitForFleetAsync(RunningProxy node, Func<Counters, bool> condition, string what)
    {
        Counters? last = null;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            last = (await UsersJsonAsync(node)).Fleet;
            if (condition(last))
            {
                return last;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(15))
            {
                Assert.Fail($"{what}: not within 15 s; last seen {last}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Greeting, RFC 1929 and CONNECT through <paramref name="node"/>; the REP code.</summary>
    private static async Task<Socks.Core.Protocol.ReplyCode> ConnectReplyAsync(RunningProxy node, EchoServer target, string user, string password)
    {
        using var client = await SocksTestClient.ConnectAsync(node.Socks);
        await client.NegotiateAsync(user, password);
        return (await client.RequestConnectAsync(target.EndPoint)).Code;
    }

    /// <summary>A session through <paramref name="node"/> when it answers REP 00, else null.</summary>
    private static async Task<SocksTestClient?> TryConnectAsync(RunningProxy node, EchoServer target, string user, string password)
    {
        var client = await SocksTestClient.ConnectAsync(node.Socks);
        await client.NegotiateAsync(user, password);
        if ((await client.RequestConnectAsync(target.EndPoint)).Code == Socks.Core.Protocol.ReplyCode.Succeeded)
        {
            return client;
        }

        client.Dispose();
        return null;
    }

    private static Task<RunningProxy> StartNodeAsync(RedisServer redis, string prefix, params string[] more) =>
        RunningProxy.StartAsync(["-l", "127.0.0.1", "-p", "0", "--redis", redis.EndPoint, "--redis-prefix", prefix, .. more]);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> after <paramref name="bound"/>.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan bound, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > bound)
            {
                Assert.Fail($"{what}: not within {bound.TotalMilliseconds} ms");
            }

            await Task.Delay(10);
        }
    }
}
