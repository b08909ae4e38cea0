using System.Net;
using System.Net.Sockets;
using Socks.Core.Connectors.Direct;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Connectors.Direct;

/// <summary>
/// Happy Eyeballs ordering and timing (RFC 8305 §4-§5) with a scripted connect step and a manual clock: no real
/// network and no sleeping; every wait has a generous upper bound.
/// </summary>
[CancelAfter(30_000)]
public class DirectConnectorRaceTests
{
    private const ushort Port = 443;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly IPAddress V6A = IPAddress.Parse("2001:db8::a");
    private static readonly IPAddress V6B = IPAddress.Parse("2001:db8::b");
    private static readonly IPAddress V6C = IPAddress.Parse("2001:db8::c");
    private static readonly IPAddress V4A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress V4B = IPAddress.Parse("192.0.2.2");
    private static readonly IPAddress V4C = IPAddress.Parse("192.0.2.3");

    private ManualTimeProvider _time = null!;
    private ScriptedConnector _connector = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new ManualTimeProvider();
        _connector = new ScriptedConnector();
    }

    [Test]
    public async Task DialAsync_IPv4Request_ConnectsThatEndpointAndSetsNoDelay()
    {
        using var socket = new TrackedSocket();
        var dialer = CreateDialer();

        var dial = dialer.DialAsync(TestRequests.Connect(V4A, Port), CancellationToken.None);
        var attempt = await _connector.NextAttemptAsync();
        attempt.Succeed(socket);
        var result = await dial.WaitAsync(Bound);

        attempt.EndPoint.Should().Be(new IPEndPoint(V4A, Port));
        result.Succeeded.Should().BeTrue();
        result.Reply.Should().Be(ReplyCode.Succeeded);
        result.Socket.Should().BeSameAs(socket);
        result.RemoteEndPoint.Should().Be(new IPEndPoint(V4A, Port));
        socket.NoDelay.Should().BeTrue();
        socket.IsDisposed.Should().BeFalse();
        _connector.Attempts.Should().HaveCount(1);
    }

    [Test]
    public async Task DialAsync_BothFamilies_AttemptsAlternateFamiliesStartingWithTheFirstResult()
    {
        var dialer = CreateDialer(V6A, V6B, V6C, V4A, V4B);

        var dial = dialer.DialAsync(TestRequests.Connect("example.com", Port), CancellationToken.None);
        var order = new List<IPAddress>();
        for (var i = 0; i < 5; i++)
        {
            var attempt = await _connector.NextAttemptAsync();
            order.Add(attempt.EndPoint.Address);
            attempt.Fail(SocketError.ConnectionRefused);
        }

        var result = await dial.WaitAsync(Bound);

        order.Should().Equal(V6A, V4A, V6B, V4B, V6C);
        result.Reply.Should().Be(ReplyCode.ConnectionRefused);
    }

    [Test]
    public async Task DialAsync_IPv4First_AttemptsStartWithIPv4()
    {
        var dialer = CreateDialer(V4A, V4B, V6A);

        var dial = dialer.DialAsync(TestRequests.Connect("example.com", Port), CancellationToken.None);
        var order = new List<IPAddress>();
        for (var i = 0; i < 3; i++)
        {
            var attempt = await _connector.NextAttemptAsync();
            order.Add(attempt.EndPoint.Address);
            attempt.Fail(SocketError.ConnectionRefused);
        }

        await dial.WaitAsync(Bound);

        order.Should().Equal(V4A, V6A, V4B);
    }

    [Test]
    public async Task DialAsync_FirstAttemptPending_NextStartsOnlyWhenTheDelayHasPassed()
    {
        using var socket = new TrackedSocket();
        var dialer = CreateDialer(V6A, V4A);

        var dial = dialer.DialAsync(TestRequests.Connect("example.com", Port), CancellationToken.None);
        var start = _time.GetUtcNow();
        var first = await _connector.NextAttemptAsync();

        // RFC 8305 §5 recommends a Connection Attempt Delay of 250 ms: spelled out here, not taken from the dialer.
        // The delay timer exists before the attempt starts, so the schedule can be checked exactly: the next
        // attempt at +250 ms and the deadline at +10 s.
        _time.ScheduledDueTimes.Should().Equal(start + TimeSpan.FromMilliseconds(250), start + Timeout);
        _time.Advance(TimeSpan.FromMilliseconds(249));

        _connector.Attempts.Should().HaveCount(1, "the Connection Attempt Delay has not passed yet");

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var second = await _connector.NextAttemptAsync();

        second.EndPoint.Should().Be(new IPEndPoint(V4A, Port));
        first.WasCancelled.Should().BeFalse("starting the next attempt does not stop the first");

        second.Succeed(socket);
        var result = await dial.WaitAsync(Bound);
        result.RemoteEndPoint.Should().Be(new IPEndPoint(V4A, Port));
    }

    [Test]
    public async Task DialAsync_AttemptFails_NextStartsAtOnceAndTheDelayRestartsFromIt()
    {
        var dialer = CreateDialer(V4A, V4B, V4C);
        var start = _time.GetUtcNow();

        var dial = dialer.DialAsync(TestRequests.Connect("example.com", Port), CancellationToken.None);
        var first = await _connector.NextAttemptAsync();
        first.Fail(SocketError.HostUnreachable);
        var second = await _connector.NextAttemptAsync();

        _time.GetUtcNow().Should().Be(start, "no time passed: the failure started the next attempt");
        second.EndPoint.Address.Should().Be(V4B);
        _time.ScheduledDueTimes.Should().Equal(
            [start + TimeSpan.FromMilliseconds(250), start + Timeout],
            "the first attempt's delay is gone and a fresh one runs from the second attempt's start");

        _time.Advance(TimeSpan.FromMilliseconds(249));
        _connector.Attempts.Should().HaveCount(2, "the delay counts from the second attempt's start");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var third = await _connector.NextAttemptAsync();
        third.EndPoint.Address.Should().Be(V4C);

        second.Fail(SocketError.HostUnreachable);
        third.Fail(SocketError.HostUnreachable);
        var result = await dial.WaitAsync(Bound);
        result.Reply.Should().Be(ReplyCode.HostUnreachable);
    }

    [Test]
    public async Task DialAsync_SecondAttemptWins_OthersAreCancelledAndNoTimerIsLeft()
    {
        using var winner = new TrackedSocket();
        var dialer = CreateDialer(V6A, V4A, V6B, V4B);

        var dial = dialer.DialAsync(TestRequests.Connect("example.com", Port), CancellationToken.None);
        var first = await _connector.NextAttemptAsync();
        _time.Advance(DirectConnector.ConnectionAttemptDelay);
        var second = await _connector.NextAttemptAsync();
        _time.Advance(DirectConnector.ConnectionAttemptDelay);
        var third = await _connector.NextAttemptAsync();
        second.Succeed(winner);
        var result = await dial.WaitAsync(Bound);

        result.Socket.Should().BeSameAs(winner);
        result.RemoteEndPoint.Should().Be(new IPEndPoint(V4A, Port));
        first.WasCancelled.Should().BeTrue();
        third.WasCancelled.Should().BeTrue();
        winner.IsDisposed.Should().BeFalse();
        _time.ActiveTimerCount.Should().Be(0, "the attempt delay and the deadline timers are released");

        _time.Advance(Timeout);
        _connector.Attempts.Should().HaveCount(3, "no attempt starts after a winner");
    }

    [Test]
    public async Task DialAsync_LoserConnectsAfterTheWinner_LoserSocketIsDisposed()
    {
        _connector = new ScriptedConnector { HonourCancellation = false };
        using var winner = new TrackedSocket();
        using var late = new TrackedSocket(AddressFamily.InterNetworkV6);
        var dialer = CreateDialer(V6A, V4A);

        var dial = dialer.DialAsync(TestRequests.Connect("example.com", Port), CancellationToken.None);
        var first = await _connector.NextAttemptAsync();
        _time.Advance(DirectConnector.ConnectionAttemptDelay);
        var second = await _connector.NextAttemptAsync();
        second.Succeed(winner);
        var result = await dial.WaitAsync(Bound);
        first.Succeed(late);

        await late.WaitDisposedAsync();
        result.Socket.Should().BeSameAs(winner);
        first.WasCancelled.Should().BeTrue();
        winner.IsDisposed.Should().BeFalse();
    }

    [Test]
    public async Task DialAsync_AllAttemptsHang_ReturnsTtlExpiredExactlyAtTheDeadline()
    {
        var dialer = CreateDialer(V6A, V4A);

        var dial = dialer.DialAsync(TestRequests.Connect("example.com", Port), CancellationToken.None);
        var first = await _connector.NextAttemptAsync();
        _time.Advance(DirectConnector.ConnectionAttemptDelay);
        var second = await _connector.NextAttemptAsync();
        _time.Advance(Timeout - DirectConnector.ConnectionAttemptDelay - TimeSpan.FromMilliseconds(1));

        dial.IsCompleted.Should().BeFalse("the deadline has not passed");

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await dial.WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.TtlExpired);
        result.Socket.Should().BeNull();
        result.RemoteEndPoint.Should().BeNull();
        first.WasCancelled.Should().BeTrue();
        second.WasCancelled.Should().BeTrue();
        _time.ActiveTimerCount.Should().Be(0);
    }

    [Test]
    public async Task DialAsync_RefusedThenDeadlineWithAttemptPending_ReturnsTtlExpired()
    {
        var dialer = CreateDialer(V4A, V4B);

        var dial = dialer.DialAsync(TestRequests.Connect("example.com", Port), CancellationToken.None);
        (await _connector.NextAttemptAsync()).Fail(SocketError.ConnectionRefused);
        await _connector.NextAttemptAsync();
        _time.Advance(Timeout);
        var result = await dial.WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.TtlExpired);
    }

    [Test]
    public async Task DialAsync_ConnectStepIgnoresCancellation_StillEndsAtTheDeadline()
    {
        _connector = new ScriptedConnector { HonourCancellation = false };
        var dialer = CreateDialer(V4A);

        var dial = dialer.DialAsync(TestRequests.Connect(V4A, Port), CancellationToken.None);
        var attempt = await _connector.NextAttemptAsync();
        _time.Advance(Timeout);
        var result = await dial.WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.TtlExpired);
        using var late = new TrackedSocket();
        attempt.Succeed(late);
        await late.WaitDisposedAsync();
    }

    [Test]
    public async Task DialAsync_ResolverNeverAnswers_ReturnsTtlExpiredAtTheDeadline()
    {
        var lookup = new TaskCompletionSource<IPAddress[]>();
        var dialer = new DirectConnector(_time, Timeout, null, (_, _) => lookup.Task, _connector.ConnectAsync);

        var dial = dialer.DialAsync(TestRequests.Connect("slow.example", Port), CancellationToken.None);
        _time.Advance(Timeout);
        var result = await dial.WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.TtlExpired);
        _connector.Attempts.Should().BeEmpty();
    }

    [TestCase(new[] { SocketError.ConnectionRefused }, ReplyCode.ConnectionRefused, 0)]
    [TestCase(new[] { SocketError.ConnectionRefused, SocketError.ConnectionRefused }, ReplyCode.ConnectionRefused, 0)]
    [TestCase(new[] { SocketError.NetworkUnreachable, SocketError.ConnectionRefused }, ReplyCode.ConnectionRefused, 1)]
    [TestCase(new[] { SocketError.ConnectionRefused, SocketError.NetworkUnreachable }, ReplyCode.ConnectionRefused, 0)]
    [TestCase(new[] { SocketError.TimedOut, SocketError.HostUnreachable }, ReplyCode.HostUnreachable, 1)]
    [TestCase(new[] { SocketError.NetworkUnreachable, SocketError.TimedOut }, ReplyCode.TtlExpired, 1)]
    [TestCase(new[] { SocketError.AccessDenied, SocketError.NetworkUnreachable }, ReplyCode.NetworkUnreachable, 1)]
    [TestCase(new[] { SocketError.NetworkUnreachable, SocketError.TimedOut, SocketError.HostUnreachable }, ReplyCode.HostUnreachable, 2)]
    [TestCase(new[] { SocketError.AccessDenied, SocketError.ConnectionReset }, ReplyCode.GeneralFailure, 0)]
    public async Task DialAsync_AllAttemptsFail_ReplyComesFromTheHighestRankedError(SocketError[] errors, ReplyCode expected, int decidingAttempt)
    {
        var addresses = Enumerable.Range(1, errors.Length).Select(i => IPAddress.Parse($"192.0.2.{i}")).ToArray();
        var dialer = CreateDialer(addresses);

        var dial = dialer.DialAsync(TestRequests.Connect("example.com", Port), CancellationToken.None);
        foreach (var error in errors)
        {
            (await _connector.NextAttemptAsync()).Fail(error);
        }

        var result = await dial.WaitAsync(Bound);

        result.Reply.Should().Be(expected);
        result.Socket.Should().BeNull();
        result.RemoteEndPoint.Should().Be(new IPEndPoint(addresses[decidingAttempt], Port));
    }

    [Test]
    public async Task DialAsync_ConnectStepThrowsNonSocketError_CountsAsGeneralFailure()
    {
        var dialer = CreateDialer(V4A);

        var dial = dialer.DialAsync(TestRequests.Connect(V4A, Port), CancellationToken.None);
        (await _connector.NextAttemptAsync()).Fail(new InvalidOperationException("scripted"));
        var result = await dial.WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.GeneralFailure);
    }

    [Test]
    public async Task DialAsync_CallerCancels_ThrowsAndCancelsEveryAttempt()
    {
        using var cts = new CancellationTokenSource();
        var dialer = CreateDialer(V6A, V4A);

        var dial = dialer.DialAsync(TestRequests.Connect("example.com", Port), cts.Token);
        var first = await _connector.NextAttemptAsync();
        _time.Advance(DirectConnector.ConnectionAttemptDelay);
        var second = await _connector.NextAttemptAsync();
        await cts.CancelAsync();

        var act = () => dial.WaitAsync(Bound);

        await act.Should().ThrowAsync<OperationCanceledException>();
        first.WasCancelled.Should().BeTrue();
        second.WasCancelled.Should().BeTrue();
    }

    [Test]
    public async Task DialAsync_CallerCancelsDuringResolution_Throws()
    {
        using var cts = new CancellationTokenSource();
        var lookup = new TaskCompletionSource<IPAddress[]>();
        var dialer = new DirectConnector(_time, Timeout, null, (_, _) => lookup.Task, _connector.ConnectAsync);

        var dial = dialer.DialAsync(TestRequests.Connect("slow.example", Port), cts.Token);
        await cts.CancelAsync();

        var act = () => dial.WaitAsync(Bound);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Test]
    public void Interleave_MixedFamilies_AlternatesAndAppendsTheRest()
    {
        var endpoints = new[] { V6A, V6B, V6C, V4A }.Select(a => new IPEndPoint(a, Port)).ToList();

        DirectConnector.Interleave(endpoints).Select(e => e.Address).Should().Equal(V6A, V4A, V6B, V6C);
    }

    [Test]
    public void Interleave_OneFamily_KeepsOrder()
    {
        var endpoints = new[] { V4C, V4A, V4B }.Select(a => new IPEndPoint(a, Port)).ToList();

        DirectConnector.Interleave(endpoints).Select(e => e.Address).Should().Equal(V4C, V4A, V4B);
    }

    [Test]
    public void Interleave_Empty_ReturnsEmpty()
    {
        DirectConnector.Interleave([]).Should().BeEmpty();
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void Constructor_NonPositiveTimeout_Throws(int milliseconds)
    {
        var act = () => new DirectConnector(_time, TimeSpan.FromMilliseconds(milliseconds), null);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("connectTimeout");
    }

    [Test]
    public void Constructor_InfiniteTimeout_Throws()
    {
        var act = () => new DirectConnector(_time, System.Threading.Timeout.InfiniteTimeSpan, null);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("connectTimeout");
    }

    private DirectConnector CreateDialer(params IPAddress[] resolved) =>
        new(_time, Timeout, null, (_, _) => Task.FromResult(resolved), _connector.ConnectAsync);
}
