using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Mcp.Protocol;

namespace EndToEnd.Tests.Hosting;

/// <summary>
/// Issue 17, item 2: descriptor exhaustion made deterministic. socks5d under a low descriptor limit holds the MCP
/// connection limit and a full SOCKS limit of relayed sessions while more of both keep arriving; before the
/// descriptor budget counted MCP, this aborted the process ("Out of memory.", SIGABRT) now and then.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed partial class DescriptorExhaustionTests
{
    private const int Rounds = 10;
    private const int SocksExtrasPerRound = 40;
    private const int McpExtrasPerRound = 3;

    [TestCase(256)]
    [TestCase(512)]
    public async Task McpAndSocksLimitsHeld_MoreOfBothArrive_ProcessSurvivesAndEveryDescriptorIsAccounted(int limit)
    {
        await using var echo = new EchoServer();
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0"], limit);
        var (proxy, maxSessions) = await socks5d.WaitForListeningAsync();
        var management = await socks5d.WaitForManagementAsync();
        var budget = Budget.Parse(await socks5d.WaitForLineAsync(line => line.Contains("descriptor budget: ", StringComparison.Ordinal)));
        var mcpLine = await socks5d.WaitForLineAsync(line => line.Contains("MCP management listening on", StringComparison.Ordinal));
        var maxMcp = int.Parse(McpLimit().Match(mcpLine).Groups["max"].Value);
        budget.Limit.Should().Be(limit);
        budget.Sessions.Should().Be(maxSessions, "the SOCKS limit is what the budget leaves for sessions");
        budget.Parts["MCP"].Should().Be(maxMcp + 3, "the MCP limit is part of the budget, with its listener, one client beyond the limit and the socket-table read");

        // Hold the MCP limit, each connection served once, and fill the SOCKS limit with relayed sessions.
        var admins = new List<McpClient>();
        for (var i = 0; i < maxMcp; i++)
        {
            admins.Add(await ServedAdminAsync(management));
        }

        var tunnels = new List<SocksTestClient>();
        for (var i = 0; i < maxSessions; i++)
        {
            tunnels.Add(await SocksTestClient.OpenAsync(proxy, echo.EndPoint));
        }

        (await admins[^1].GetMetricsAsync()).ConcurrentConnections.Should().Be((ulong)maxSessions);
        var peak = socks5d.OpenDescriptors();

        // Keep opening more of both: SOCKS clients past the limit are closed at once; each new admin is served by
        // taking the slot of the connection idle the longest.
        for (var round = 0; round < Rounds; round++)
        {
            var extras = await Task.WhenAll(Enumerable.Range(0, SocksExtrasPerRound).Select(_ => SocksTestClient.TryOpenAsync(proxy, echo.EndPoint)));
            extras.Should().AllSatisfy(extra => extra.Should().BeNull("the SOCKS limit is held"));
            for (var i = 0; i < McpExtrasPerRound; i++)
            {
                admins.Add(await ServedAdminAsync(management));
            }

            peak = Math.Max(peak, socks5d.OpenDescriptors());
        }

        socks5d.HasExited.Should().BeFalse();
        peak.Should().BeLessThanOrEqualTo((int)(limit - budget.Reserve / 2), "the load never reached into the runtime's reserve beyond half");

        // Still alive and serving: the newest admin connection answers, every held tunnel relays.
        var held = admins[^1];
        (await held.GetMetricsAsync()).ConcurrentConnections.Should().Be((ulong)maxSessions);
        foreach (var tunnel in tunnels)
        {
            await tunnel.SendAsync("alive"u8.ToArray());
            (await tunnel.ReceiveAsync(5)).Should().Equal("alive"u8.ToArray());
        }

        // Did not spin: idle with every limit held, the process uses next to no CPU.
        var cpu = socks5d.CpuSeconds();
        var window = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(1));
        (socks5d.CpuSeconds() - cpu).Should().BeLessThan(window.Elapsed.TotalSeconds / 2, "a loop retrying accept at once would burn a core");

        // Descriptors free up: concurrent returns to 0 and a new client is served.
        foreach (var tunnel in tunnels)
        {
            tunnel.Dispose();
        }

        await WaitForConcurrentAsync(held, 0);
        using (var again = await SocksTestClient.OpenAsync(proxy, echo.EndPoint))
        {
            await again.SendAsync("again"u8.ToArray());
            (await again.ReceiveAsync(5)).Should().Equal("again"u8.ToArray());
        }

        await WaitForConcurrentAsync(held, 0);

        // Every descriptor accounted for: beyond what the runtime held at start, the process holds its parts (at
        // most) and the admin connections, and what the runtime opened lazily since stays well within its reserve.
        var open = socks5d.OpenDescriptors();
        var adminsOpen = (int)Math.Min(admins.Count, maxMcp);
        var accounted = budget.Runtime + budget.Parts.Where(p => p.Key != "MCP").Sum(p => p.Value) + 3 + adminsOpen;
        open.Should().BeLessThanOrEqualTo((int)(accounted + budget.Reserve / 2),
            $"open {open}: runtime {budget.Runtime} + parts + {adminsOpen} admin connections, within half the reserve ({budget.Reserve})");

        foreach (var admin in admins)
        {
            await admin.DisposeAsync();
        }

        socks5d.Signal(Socks5dProcess.SIGTERM);
        (await socks5d.WaitForExitAsync()).Should().Be(0);
        socks5d.StandardError.Should().NotContain(line => line.Contains("fail:", StringComparison.Ordinal) || line.Contains("Out of memory", StringComparison.Ordinal));
    }

    private static async Task<McpClient> ServedAdminAsync(IPEndPoint management)
    {
        var admin = await McpClient.ConnectAsync(management).WaitAsync(TestTimeouts.Generous);
        await admin.GetMetricsAsync().WaitAsync(TestTimeouts.Generous);
        return admin;
    }

    private static async Task WaitForConcurrentAsync(McpClient admin, ulong expected)
    {
        // Polled: sessions end a moment after their clients close; the deadline is only an upper bound.
        var deadline = Stopwatch.StartNew();
        ulong concurrent;
        while ((concurrent = (await admin.GetMetricsAsync()).ConcurrentConnections) != expected && deadline.Elapsed < TestTimeouts.Generous)
        {
            await Task.Delay(10);
        }

        concurrent.Should().Be(expected, "every session ended is counted as ended");
    }

    [GeneratedRegex(@"MCP management listening on \S+ \(at most (?<max>\d+) connections")]
    private static partial Regex McpLimit();

    /// <summary>The budget as the startup line shows it.</summary>
    private sealed partial record Budget(long Limit, long Runtime, long Reserve, IReadOnlyDictionary<string, long> Parts, long Sessions)
    {
        public static Budget Parse(string line)
        {
            var match = Line().Match(line);
            match.Success.Should().BeTrue($"the startup line shows the budget: {line}");
            var parts = match.Groups["name"].Captures.Zip(match.Groups["count"].Captures)
                .ToDictionary(p => p.First.Value, p => long.Parse(p.Second.Value, System.Globalization.CultureInfo.InvariantCulture));
            return new Budget(long.Parse(match.Groups["limit"].Value), long.Parse(match.Groups["runtime"].Value), long.Parse(match.Groups["reserve"].Value),
                parts, long.Parse(match.Groups["sessions"].Value));
        }

        [GeneratedRegex(@"descriptor budget: limit (?<limit>\d+) = runtime (?<runtime>\d+) \+ reserve (?<reserve>\d+)(?: \+ (?<name>[A-Za-z ]+?) (?<count>\d+)(?: \([^)]*\))?)* \+ sessions (?<sessions>\d+) × 2")]
        private static partial Regex Line();
    }
}
