using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Server;

/// <summary>
/// Descriptor exhaustion on accept (issue 3): the OS accept fails with EMFILE a scripted number of times, then
/// succeeds. Only that boundary is faked; the accept loop, its back-off on the fake clock, its logging and the
/// sessions are the real ones, serving real clients over loopback.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class AcceptExhaustionTests
{
    private const int AcceptResourcesExhaustedEvent = 110;
    private const int AcceptRecoveredEvent = 111;
    private const int AcceptFailedEvent = 112;

    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    [Test]
    public async Task AcceptLoop_TooManyOpenSockets_WaitsOnTimerInsteadOfRetrying()
    {
        await using var harness = ExhaustionHarness.Start(failingCalls: [1]);
        var start = harness.Clock.GetUtcNow();

        (await harness.FailedCallThenBackoffAsync(1)).Should().Be(MinBackoff);
        harness.Acceptor.Calls.Should().Be(1);
        harness.Clock.ScheduledDueTimes.Should().Equal(start + MinBackoff);

        harness.Clock.Advance(MinBackoff - TimeSpan.FromMilliseconds(1));
        harness.Acceptor.Calls.Should().Be(1, "the back-off timer is not due yet");
        harness.Clock.ScheduledDueTimes.Should().Equal(start + MinBackoff);

        harness.Clock.Advance(TimeSpan.FromMilliseconds(1));
        (await harness.Acceptor.NextCallAsync()).Should().Be(2, "the loop retries when the timer fires");
        harness.Clock.ActiveTimerCount.Should().Be(0);
    }

    [Test]
    public async Task AcceptLoop_ConsecutiveTooManyOpenSockets_DoublesDelayUpToOneSecond()
    {
        TimeSpan[] expected = [.. new[] { 10, 20, 40, 80, 160, 320, 640, 1000, 1000 }.Select(ms => TimeSpan.FromMilliseconds(ms))];
        await using var harness = ExhaustionHarness.Start(failingCalls: [.. Enumerable.Range(1, expected.Length)]);

        for (var i = 0; i < expected.Length; i++)
        {
            (await harness.FailedCallThenBackoffAsync(i + 1)).Should().Be(expected[i], "delay after failure {0}", i + 1);
            harness.Acceptor.Calls.Should().Be(i + 1, "no retry before the timer fires");
            harness.Clock.ScheduledDueTimes.Should().Equal(harness.Clock.GetUtcNow() + expected[i]);
            harness.Clock.Advance(expected[i]);
        }

        (await harness.Acceptor.NextCallAsync()).Should().Be(expected.Length + 1, "the loop keeps accepting after the failures");
    }

    [Test]
    public async Task AcceptLoop_ConsecutiveTooManyOpenSockets_LogsOneWarningNotOnePerFailure()
    {
        const int Failures = 6;
        await using var harness = ExhaustionHarness.Start(failingCalls: [.. Enumerable.Range(1, Failures)]);

        for (var call = 1; call <= Failures; call++)
        {
            harness.Clock.Advance(await harness.FailedCallThenBackoffAsync(call));
        }

        (await harness.Acceptor.NextCallAsync()).Should().Be(Failures + 1);
        var warning = harness.Logger.Entries.Should().ContainSingle(e => e.Level == LogLevel.Warning).Subject;
        warning.EventId.Should().Be(AcceptResourcesExhaustedEvent);
        warning.Message.Should().Contain(nameof(SocketError.TooManyOpenSockets)).And.Contain("retrying in 10 ms");
        warning.Exception.Should().BeNull("an expected OS condition gets no stack trace");
        harness.Logger.Entries.Should().NotContain(e => e.EventId == AcceptFailedEvent || e.Level >= LogLevel.Error);
    }

    [Test]
    public async Task AcceptLoop_DescriptorsFreeUp_ServesQueuedClientAndResetsBackoff()
    {
        await using var target = TestTarget.Echo();

        // Calls 1-3 fail, 4 accepts, 5 fails (a second episode), 6 and later accept.
        await using var harness = ExhaustionHarness.Start(failingCalls: [1, 2, 3, 5]);

        // The client connects during the shortage: it waits in the listen backlog, as with a real EMFILE.
        using var queued = await SocksTestClient.ConnectAsync(harness.EndPoint);
        (await harness.FailedCallThenBackoffAsync(1)).Should().Be(TimeSpan.FromMilliseconds(10));
        harness.Clock.Advance(TimeSpan.FromMilliseconds(10));
        (await harness.FailedCallThenBackoffAsync(2)).Should().Be(TimeSpan.FromMilliseconds(20));
        harness.Clock.Advance(TimeSpan.FromMilliseconds(20));
        (await harness.FailedCallThenBackoffAsync(3)).Should().Be(TimeSpan.FromMilliseconds(40));
        harness.Clock.Advance(TimeSpan.FromMilliseconds(40));
        (await harness.Acceptor.NextCallAsync()).Should().Be(4);

        await queued.NegotiateAsync(user: null);
        (await queued.RequestConnectAsync(target.EndPoint)).Code.Should().Be(ReplyCode.Succeeded);
        await queued.SendAsync("ping");
        (await queued.ReceiveExactlyAsync(4)).Should().Equal("ping"u8.ToArray());
        harness.Logger.Entries.Should().ContainSingle(e => e.EventId == AcceptRecoveredEvent)
            .Which.Message.Should().Contain("after 3 failed attempts");

        // Call 5 fails: the new episode starts again at the shortest delay.
        (await harness.FailedCallThenBackoffAsync(5)).Should().Be(MinBackoff, "a successful accept resets the back-off");
        harness.Clock.Advance(MinBackoff);

        using var later = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, user: null);
        await later.SendAsync("pong");
        (await later.ReceiveExactlyAsync(4)).Should().Equal("pong"u8.ToArray());
        harness.Acceptor.Calls.Should().BeGreaterThanOrEqualTo(6);
        harness.Logger.Entries.Where(e => e.EventId == AcceptResourcesExhaustedEvent).Should().HaveCount(2, "one warning per episode");
        harness.Logger.Entries.Where(e => e.EventId == AcceptRecoveredEvent).Select(e => e.Message).Should()
            .SatisfyRespectively(
                first => first.Should().Contain("after 3 failed attempts"),
                second => second.Should().Contain("after 1 failed attempts"));
        harness.Server.GetMetrics().HistoricalConnections.Should().Be(2);
    }

    /// <summary>A server on 127.0.0.1:0 whose OS accept fails as scripted, on a manual clock, logging into one logger.</summary>
    private sealed class ExhaustionHarness : IAsyncDisposable
    {
        private ExhaustionHarness(SocksServer server, ManualTimeProvider clock, TimerWatchingClock timers, ScriptedAcceptor acceptor, CapturingLogger logger)
        {
            Server = server;
            Clock = clock;
            Timers = timers;
            Acceptor = acceptor;
            Logger = logger;
        }

        public SocksServer Server { get; }

        public ManualTimeProvider Clock { get; }

        public TimerWatchingClock Timers { get; }

        public ScriptedAcceptor Acceptor { get; }

        public CapturingLogger Logger { get; }

        public IPEndPoint EndPoint => Server.LocalEndPoints[0];

        /// <summary>
        /// Waits for accept call <paramref name="call"/>, which the script fails, then for the back-off timer the
        /// loop must schedule before it calls accept again; fails at once if accept is called again first.
        /// Returns the timer's delay. Timers longer than 1 s (the sessions' timeouts) are skipped.
        /// </summary>
        public Task<TimeSpan> FailedCallThenBackoffAsync(int call) => Acceptor.FailedCallThenBackoffAsync(Timers, call, MaxBackoff);

        public static ExhaustionHarness Start(IReadOnlyCollection<int> failingCalls)
        {
            var clock = new ManualTimeProvider();
            var timers = new TimerWatchingClock(clock);
            var acceptor = new ScriptedAcceptor(failingCalls, TestTimeouts.Generous);
            var logger = new CapturingLogger();
            var server = new SocksServer(
                new SocksServerOptions
                {
                    Users = TestUsers.Empty(),
                    AllowAnonymous = true,
                    AccessLog = new RecordingAccessLog(),
                    TimeProvider = timers,
                    Acceptor = acceptor.AcceptAsync,
                },
                new SingleLoggerFactory(logger));
            server.Start([new IPEndPoint(IPAddress.Loopback, 0)]);
            return new ExhaustionHarness(server, clock, timers, acceptor, logger);
        }

        public async ValueTask DisposeAsync()
        {
            // A loop still in its back-off waits on the manual clock: stop failing, then let the timer fire
            // so the loop reaches the closed listener and ends.
            Acceptor.StopFailing();
            var stop = Server.DisposeAsync().AsTask();
            Clock.Advance(TimeSpan.FromSeconds(1));
            await stop.WaitAsync(TestTimeouts.Generous);
        }
    }
}
