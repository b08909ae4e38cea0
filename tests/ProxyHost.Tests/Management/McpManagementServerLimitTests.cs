using ProxyHost.Management;
using ProxyHost.Unix;

namespace ProxyHost.Tests.Management;

/// <summary>
/// The frame deadline and the rules at the connection limit (issue 18, item 4): stalled clients cannot lock
/// administrators out. Real sockets on loopback, the server's clock a <see cref="ManualTimeProvider"/>.
/// </summary>
public class McpManagementServerLimitTests
{
    private static readonly TimeSpan FrameTimeout = McpManagementOptions.DefaultFrameTimeout;

    [Test]
    public async Task FrameTimeout_HalfFrameStalls_ClosedAtDeadlineNotBefore()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.AddAlice[..5]);
        await harness.WaitUntilAsync(s => s.FrameWaits == 1);

        // Timers fire inside Advance, so what has not happened when it returns has not happened at all.
        harness.Time.Advance(FrameTimeout - TimeSpan.FromMilliseconds(1));
        harness.Statistics.FrameTimeouts.Should().Be(0);
        harness.Statistics.ActiveConnections.Should().Be(1);

        harness.Time.Advance(TimeSpan.FromMilliseconds(1));

        harness.Statistics.FrameTimeouts.Should().Be(1);
        (await client.ReadToEndAsync()).Should().BeEmpty("the half frame is never answered");
        await harness.WaitUntilAsync(s => s.ActiveConnections == 0);
        harness.Logger.Entries.Should().ContainSingle(e => e.Text.Contains("was not completed within 00:00:10"));
        harness.Backend.Store.ListUsers().Should().BeEmpty();
    }

    [Test]
    public async Task FrameTimeout_FrameTrickles_DeadlineCountsFromItsFirstByte()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.AddAlice[..1]);
        await harness.WaitUntilAsync(s => s.FrameWaits == 1);
        harness.Time.Advance(TimeSpan.FromSeconds(6));
        await client.SendAsync(Frames.AddAlice[1..5]);
        await harness.WaitUntilAsync(s => s.FrameWaits == 2);

        // Each byte is progress for the idle timeout, but not a new frame: 6 + 4 s after the first byte it is over.
        harness.Time.Advance(TimeSpan.FromSeconds(4));

        harness.Statistics.FrameTimeouts.Should().Be(1);
        (await client.ReadToEndAsync()).Should().BeEmpty();
    }

    [Test]
    public async Task FrameTimeout_NextFrameBegunAfterAnAnswer_GetsItsOwnDeadline()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.AddAlice[..3]);
        await harness.WaitUntilAsync(s => s.FrameWaits == 1);
        harness.Time.Advance(TimeSpan.FromSeconds(9));

        // The first frame completes 9 s in, and the same segment begins a second one.
        await client.SendAsync(Frames.Concat(Frames.AddAlice[3..], Frames.GetMetrics[..2]));
        (await client.ReadAsync(4)).Should().Equal(Frames.Ok);
        await harness.WaitUntilAsync(s => s.FrameWaits == 2);
        harness.Time.Advance(TimeSpan.FromSeconds(9));
        harness.Statistics.FrameTimeouts.Should().Be(0, "the second frame began 9 s ago, not 18 s");

        await client.SendAsync(Frames.GetMetrics[2..]);
        (await client.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        harness.Statistics.FrameTimeouts.Should().Be(0, "an idle connection has no frame deadline");
    }

    [Test]
    public async Task Limit_64ClientsStalledMidFrame_NewAdministratorServedAndStalledClosedAtDeadline()
    {
        await using var harness = ServerHarness.Start();
        const int max = McpManagementOptions.DefaultMaxConnections;
        var stalled = new List<RawMcpConnection>();
        try
        {
            for (var i = 0; i < max; i++)
            {
                var connection = await harness.ConnectRawAsync();
                stalled.Add(connection);
                await connection.SendAsync(Frames.AddAlice[..5]);
            }

            await harness.WaitUntilAsync(s => s.FrameWaits == max);

            // Every slot holds a half frame; the newest one is the spare slot, and a new administrator takes it.
            await using var admin = await harness.ConnectRawAsync();
            await admin.SendAsync(Frames.GetMetrics);
            (await admin.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);
            harness.Statistics.ReplacedConnections.Should().Be(1);
            harness.Statistics.RejectedConnections.Should().Be(0);
            (await stalled[^1].ReadToEndAsync()).Should().BeEmpty("the newest stalled connection gave its slot up");

            // At the frame deadline every other stalled connection is closed; the administrator (idle) stays.
            harness.Time.Advance(FrameTimeout);
            harness.Statistics.FrameTimeouts.Should().Be(max - 1);
            foreach (var connection in stalled.Take(max - 1))
            {
                (await connection.ReadToEndAsync()).Should().BeEmpty();
            }

            await harness.WaitUntilAsync(s => s.ActiveConnections == 1);
            await admin.SendAsync(Frames.ToggleDissector);
            (await admin.ReadAsync(5)).Should().Equal(Frames.DissectorOn);

            // 63 closings, one warning: the log cannot be flooded.
            harness.Logger.Entries.Count(e => e.Text.Contains("was not completed within")).Should().Be(1);
            harness.Logger.Entries.Count(e => e.Text.Contains("to serve a new client")).Should().Be(1);
        }
        finally
        {
            foreach (var connection in stalled)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task Limit_IdleConnections_NewClientReplacesTheOneIdleLongest()
    {
        await using var harness = ServerHarness.Start(new McpManagementOptions { MaxConnections = 2 });
        await using var older = await harness.ConnectRawAsync();
        await harness.WaitUntilAsync(s => s.IdleWaits == 1);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await using var newer = await harness.ConnectRawAsync();
        await harness.WaitUntilAsync(s => s.IdleWaits == 2);

        await using var next = await harness.ConnectRawAsync();

        (await older.ReadToEndAsync()).Should().BeEmpty();
        await next.SendAsync(Frames.GetMetrics);
        (await next.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);
        await newer.SendAsync(Frames.ToggleDissector);
        (await newer.ReadAsync(5)).Should().Equal(Frames.DissectorOn);
        harness.Statistics.ReplacedConnections.Should().Be(1);
        harness.Logger.Entries.Should().Contain(e => e.Text.Contains("closed connection 1 from") && e.Text.Contains("(idle)"));
    }

    [Test]
    public async Task Limit_NewestBusyOthersStalled_NewClientClosedAndNoStalledOneReplaced()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = new TestBackend { AddUserGate = gate.Task };
        await using var harness = ServerHarness.Start(new McpManagementOptions { MaxConnections = 2 }, backend);
        await using var stalled = await harness.ConnectRawAsync();
        await stalled.SendAsync(Frames.AddAlice[..5]);
        await harness.WaitUntilAsync(s => s.FrameWaits == 1);
        await using var busy = await harness.ConnectRawAsync();
        await busy.SendAsync(Frames.AddBob);
        await backend.AddUserCalls.WaitAsync(ServerHarness.Timeout);

        // Only the newest slot is the spare: an older stalled connection keeps its slot until its frame deadline.
        await using (var extra = await harness.ConnectRawAsync())
        {
            (await extra.ReadToEndAsync()).Should().BeEmpty();
        }

        harness.Statistics.RejectedConnections.Should().Be(1);
        gate.SetResult();
        (await busy.ReadAsync(4)).Should().Equal(Frames.Ok);
        await stalled.SendAsync(Frames.AddAlice[5..]);
        (await stalled.ReadAsync(4)).Should().Equal(Frames.Ok);
    }

    [Test]
    public async Task Limit_NewClientNotAllowed_ReplacesNobody()
    {
        // Only the test's own uid + 1 is served: the test process is refused, at the limit it may take no one's place.
        var self = UnixAccounts.EffectiveUid;
        var options = new McpManagementOptions { MaxConnections = 1, Clients = new McpClientPolicy([self + 1]) };
        await using var harness = ServerHarness.Start(options);
        await using var first = await harness.ConnectRawAsync();
        (await first.ReadAsync(4)).Should().Equal(Frames.Error);
        await harness.WaitUntilAsync(s => s.IdleWaits == 1);

        await using var second = await harness.ConnectRawAsync();

        (await second.ReadToEndAsync()).Should().BeEmpty("closed at once, without the refusal's ERROR");
        harness.Statistics.ReplacedConnections.Should().Be(0);
        harness.Statistics.RejectedConnections.Should().Be(1);
    }

    [Test]
    public async Task UnknownVersion_ManyConnections_OneLogLinePerInterval()
    {
        // Issue 18, item 5b: each bad-VER connection logged an Information line, with no limit.
        await using var harness = ServerHarness.Start();
        for (var i = 0; i < 20; i++)
        {
            await using var client = await harness.ConnectRawAsync();
            await client.SendAsync(0x05);
            (await client.ReadToEndAsync()).Should().Equal(Frames.Error, "every such connection is still answered");
        }

        harness.Logger.Entries.Count(e => e.Text.Contains("answered ERROR and closed")).Should().Be(1);

        harness.Time.Advance(TimeSpan.FromSeconds(30));
        await using (var late = await harness.ConnectRawAsync())
        {
            await late.SendAsync(0x05);
            (await late.ReadToEndAsync()).Should().Equal(Frames.Error);
        }

        harness.Logger.Entries.Count(e => e.Text.Contains("answered ERROR and closed")).Should().Be(2, "a new interval allows a new line");
    }

    [TestCase(0.0, TestName = "Constructor_FrameTimeoutZero_Throws")]
    [TestCase(-3.0, TestName = "Constructor_FrameTimeoutNegative_Throws")]
    public void Constructor_InvalidFrameTimeout_ThrowsArgumentOutOfRange(double seconds)
    {
        var options = new McpManagementOptions { FrameTimeout = TimeSpan.FromSeconds(seconds) };

        var create = () => new McpManagementServer(new TestBackend(), options, Microsoft.Extensions.Logging.Abstractions.NullLogger<McpManagementServer>.Instance);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }
}
