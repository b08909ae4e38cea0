using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Socks.Core.Connectors.Direct;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Connectors.Direct;

/// <summary>
/// The connector's bounded resolver (issue 18, item 1) with a lookup step that never completes unless the test says
/// so, a scripted connect step and a manual clock: slots, the wait queue, saturation, and the one deadline shared by
/// resolve and dial.
/// </summary>
[CancelAfter(30_000)]
public class DirectConnectorResolverLimitTests
{
    private const ushort Port = 443;
    private const int Slots = 2;
    private const int QueuePlaces = Slots * BoundedResolver.QueuedPerSlot;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly IPAddress V4A = IPAddress.Parse("192.0.2.1");

    private ManualTimeProvider _time = null!;
    private ScriptedConnector _connector = null!;
    private CapturingLogger _logger = null!;
    private ConcurrentDictionary<string, TaskCompletionSource<IPAddress[]>> _lookups = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new ManualTimeProvider();
        _connector = new ScriptedConnector();
        _logger = new CapturingLogger();
        _lookups = new ConcurrentDictionary<string, TaskCompletionSource<IPAddress[]>>();
    }

    [Test]
    public async Task DialAsync_EverySlotAndQueuePlaceTaken_NextNameGetsGeneralFailureAtOnceAndOneWarning()
    {
        var dialer = CreateDialer();
        var waiting = Enumerable.Range(0, Slots + QueuePlaces).Select(i => Dial(dialer, $"stalled{i}.example")).ToList();

        var rejected = await Task.WhenAll(Dial(dialer, "one-more.example"), Dial(dialer, "and-another.example")).WaitAsync(Bound);

        rejected.Should().OnlyContain(r => r.Reply == ReplyCode.GeneralFailure);
        _lookups.Keys.Should().BeEquivalentTo(["stalled0.example", "stalled1.example"], "only the lookups with a slot run");
        waiting.Should().OnlyContain(d => !d.IsCompleted, "a queued lookup waits for a slot within its deadline");
        var warnings = _logger.AtLevel(LogLevel.Warning);
        warnings.Should().ContainSingle("the saturation warning is throttled");
        warnings[0].EventId.Should().Be(EventIds.Connectors);
        warnings[0].Message.Should().Contain($"all {Slots} lookup slots are held").And.Contain($"{QueuePlaces} lookups wait");
    }

    [Test]
    public async Task DialAsync_ResolverStalled_AddressRequestConnectsWithoutWaiting()
    {
        var dialer = CreateDialer();
        var waiting = Enumerable.Range(0, Slots + QueuePlaces + 1).Select(i => Dial(dialer, $"stalled{i}.example")).ToList();
        using var socket = new TrackedSocket();

        var dial = dialer.DialAsync(TestRequests.Connect(V4A, Port), CancellationToken.None);
        (await _connector.NextAttemptAsync()).Succeed(socket);
        var result = await dial.WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.Succeeded);
        result.Socket.Should().BeSameAs(socket);
        waiting.Take(Slots + QueuePlaces).Should().OnlyContain(d => !d.IsCompleted);
    }

    [Test]
    public async Task DialAsync_LookupsNeverAnswer_EveryWaitingDialGetsTtlExpiredAtTheDeadline()
    {
        var dialer = CreateDialer();
        var waiting = Enumerable.Range(0, Slots + QueuePlaces).Select(i => Dial(dialer, $"stalled{i}.example")).ToList();

        _time.Advance(Timeout - TimeSpan.FromTicks(1));
        waiting.Should().OnlyContain(d => !d.IsCompleted, "nothing ends before the deadline");
        _time.Advance(TimeSpan.FromTicks(1));
        var results = await Task.WhenAll(waiting).WaitAsync(Bound);

        results.Should().OnlyContain(r => r.Reply == ReplyCode.TtlExpired);
        _lookups.Should().HaveCount(Slots, "a lookup whose dial gave up while queued never starts");
        _connector.Attempts.Should().BeEmpty();
    }

    [Test]
    public async Task DialAsync_QueuedDialsTimedOut_LeaveTheQueueAndAFreedSlotServesTheNextName()
    {
        var dialer = CreateDialer();
        var expired = Enumerable.Range(0, Slots + QueuePlaces).Select(i => Dial(dialer, $"stalled{i}.example")).ToList();
        _time.Advance(Timeout);
        await Task.WhenAll(expired).WaitAsync(Bound);

        // The slots are still held by the stalled lookups, but the queue is empty again: this one waits, not fails.
        var next = Dial(dialer, "next.example");
        next.IsCompleted.Should().BeFalse();
        _lookups["stalled0.example"].SetResult([V4A]);
        LookupStarted("next.example").SetResult([V4A]);
        using var socket = new TrackedSocket();
        (await _connector.NextAttemptAsync()).Succeed(socket);
        var result = await next.WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.Succeeded);
        result.RemoteEndPoint.Should().Be(new IPEndPoint(V4A, Port));
    }

    [Test]
    public async Task DialAsync_LookupFailsOrThrows_ReleasesItsSlot()
    {
        var calls = 0;
        var dialer = new DirectConnector(
            _time,
            Timeout,
            null,
            (_, _) => Interlocked.Increment(ref calls) == 1
                ? throw new SocketException((int)SocketError.HostNotFound)
                : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
            _connector.ConnectAsync,
            maxConcurrentLookups: 1,
            logger: _logger);

        for (var i = 0; i < 3; i++)
        {
            (await Dial(dialer, $"missing{i}.example").WaitAsync(Bound)).Reply.Should().Be(ReplyCode.HostUnreachable);
        }

        calls.Should().Be(3, "each failed lookup gave its only slot back");
        _logger.AtLevel(LogLevel.Warning).Should().BeEmpty();
    }

    [Test]
    public async Task DialAsync_ResolveTookMostOfTheTimeout_DialGetsOnlyWhatIsLeft()
    {
        var dialer = CreateDialer();

        var dial = Dial(dialer, "slow.example");
        _time.Advance(Timeout - TimeSpan.FromSeconds(1));
        LookupStarted("slow.example").SetResult([V4A]);
        var attempt = await _connector.NextAttemptAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        var result = await dial.WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.TtlExpired, "resolve and dial share one deadline from the start of the dial");
        attempt.WasCancelled.Should().BeTrue();
    }

    [TestCase(0)]
    [TestCase(SocksServerOptions.MaxMaxConcurrentLookups + 1)]
    public void SocksServer_MaxConcurrentLookupsOutOfRange_Throws(int value)
    {
        var create = () => new SocksServer(new SocksServerOptions { Users = TestUsers.Create(), MaxConcurrentLookups = value });

        create.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("MaxConcurrentLookups");
    }

    private Task<ConnectResult> Dial(DirectConnector dialer, string name) =>
        dialer.DialAsync(TestRequests.Connect(name, Port), CancellationToken.None);

    /// <summary>The running lookup of <paramref name="name"/>: slots hand over synchronously, so it has started by now.</summary>
    private TaskCompletionSource<IPAddress[]> LookupStarted(string name)
    {
        _lookups.Should().ContainKey(name, $"the lookup of {name} has a slot");
        return _lookups[name];
    }

    private DirectConnector CreateDialer() =>
        new(_time, Timeout, null, (name, _) => _lookups.GetOrAdd(name, _ => new TaskCompletionSource<IPAddress[]>()).Task, _connector.ConnectAsync, Slots, _logger);
}
