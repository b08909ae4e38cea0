using System.Net;
using Microsoft.Extensions.Logging;
using ProxyHost.Management;

namespace ProxyHost.Tests.Management;

/// <summary>
/// Descriptor exhaustion on the MCP listener: the OS accept fails with EMFILE a scripted number of times, then
/// succeeds. The accept loop (the one the SOCKS listener runs too), its back-off on the fake clock and its logging
/// are the real ones; the queued admin client is served once descriptors free up.
/// </summary>
public sealed class McpAcceptBackoffTests
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    [Test]
    [CancelAfter(60_000)]
    public async Task AcceptLoop_TooManyOpenSockets_BacksOffDoublingLogsOnceAndServesTheQueuedClient()
    {
        var clock = new ManualTimeProvider();
        var timers = new TimerWatchingClock(clock);
        var acceptor = new ScriptedAcceptor([1, 2, 3], ServerHarness.Timeout);
        var logger = new CapturingLogger<McpManagementServer>();
        var server = new McpManagementServer(new TestBackend(), new McpManagementOptions { Acceptor = acceptor.AcceptAsync }, logger, timers);
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        try
        {
            // The client connects during the shortage: it waits in the listen backlog, as with a real EMFILE.
            await using var queued = await RawMcpConnection.ConnectAsync(server.LocalEndPoint);
            TimeSpan[] expected = [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(40)];
            for (var call = 1; call <= expected.Length; call++)
            {
                (await acceptor.FailedCallThenBackoffAsync(timers, call, MaxBackoff)).Should().Be(expected[call - 1], "delay after failure {0}", call);
                acceptor.Calls.Should().Be(call, "no retry before the timer fires");
                clock.Advance(expected[call - 1]);
            }

            (await acceptor.NextCallAsync()).Should().Be(4);
            await queued.SendAsync(Frames.GetMetrics);
            (await queued.ReadAsync(4))[1].Should().Be(0x00, "the queued client is served after the recovery");

            logger.Entries.Where(e => e.Event.Name == "AcceptFailed").Should().ContainSingle("one warning per episode")
                .Which.Should().Match<CapturingLogger.Entry>(e =>
                    e.Level == LogLevel.Warning && e.Text.Contains("TooManyOpenSockets") && e.Text.Contains("retrying in 10 ms"));
            logger.Entries.Should().ContainSingle(e => e.Event.Name == "AcceptRecovered")
                .Which.Text.Should().Contain("after 3 failures");
        }
        finally
        {
            acceptor.StopFailing();
            await server.DisposeAsync().AsTask().WaitAsync(ServerHarness.Timeout);
        }
    }
}
