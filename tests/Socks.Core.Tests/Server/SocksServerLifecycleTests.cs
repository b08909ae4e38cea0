using System.Net;
using System.Net.Sockets;
using System.Text;
using Socks.Core.Protocol;
using Socks.Core.Server;
using Socks.Core.Tests.Server.Infrastructure;
using Socks.Shared;

namespace Socks.Core.Tests.Server;

[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class SocksServerLifecycleTests
{
    [Test]
    public async Task Start_PortZero_ReportsTheBoundPort()
    {
        await using var server = new SocksServer(new SocksServerOptions { Users = TestUsers.Empty() });

        server.Start([new IPEndPoint(IPAddress.Loopback, 0)]);

        var bound = server.LocalEndPoints.Should().ContainSingle().Subject;
        bound.Address.Should().Be(IPAddress.Loopback);
        bound.Port.Should().BePositive();
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await probe.ConnectAsync(bound).WaitAsync(TestTimeouts.Generous);
    }

    [Test]
    public async Task Start_OneEndpointInUse_ThrowsAddressInUseAndLeavesNothingBound()
    {
        await using var first = new SocksServer(new SocksServerOptions { Users = TestUsers.Empty() });
        first.Start([new IPEndPoint(IPAddress.Loopback, 0)]);
        var taken = first.LocalEndPoints[0];
        var free = FreeEndPoint();
        await using var second = new SocksServer(new SocksServerOptions { Users = TestUsers.Empty() });

        var start = () => second.Start([free, taken]);

        start.Should().Throw<SocketException>().Which.SocketErrorCode.Should().Be(SocketError.AddressAlreadyInUse);
        second.LocalEndPoints.Should().BeEmpty();
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(free);
    }

    [Test]
    public async Task Start_Twice_Throws()
    {
        await using var server = new SocksServer(new SocksServerOptions { Users = TestUsers.Empty() });
        server.Start([new IPEndPoint(IPAddress.Loopback, 0)]);

        var again = () => server.Start([new IPEndPoint(IPAddress.Loopback, 0)]);

        again.Should().Throw<InvalidOperationException>();
    }

    [Test]
    public async Task Start_AfterStop_Throws()
    {
        await using var server = new SocksServer(new SocksServerOptions { Users = TestUsers.Empty() });
        await server.StopAsync(TimeSpan.Zero);

        var start = () => server.Start([new IPEndPoint(IPAddress.Loopback, 0)]);

        start.Should().Throw<InvalidOperationException>();
    }

    [Test]
    public async Task CloseSessionsOfUser_UnknownUser_ClosesNothing()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);

        harness.Server.CloseSessionsOfUser("use"u8).Should().Be(0);

        await client.SendAsync("x");
        (await client.ReceiveExactlyAsync(1)).Should().Equal((byte)'x');
    }

    [TestCase(0, TestName = "Constructor_ZeroHandshakeTimeout_Throws")]
    [TestCase(-1, TestName = "Constructor_NegativeHandshakeTimeout_Throws")]
    public void Constructor_BadHandshakeTimeout_Throws(int seconds)
    {
        var create = () => new SocksServer(new SocksServerOptions { Users = TestUsers.Empty(), HandshakeTimeout = TimeSpan.FromSeconds(seconds) });

        create.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("HandshakeTimeout");
    }

    [Test]
    public void Constructor_RelayBufferTooSmall_Throws()
    {
        var create = () => new SocksServer(new SocksServerOptions { Users = TestUsers.Empty(), RelayBufferSize = 16 });

        create.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("RelayBufferSize");
    }

    [Test]
    public async Task Constructor_NoMaxConnections_DerivesItFromTheDescriptorLimit()
    {
        await using var server = new SocksServer(new SocksServerOptions { Users = TestUsers.Empty() });

        var soft = DescriptorLimit.ReadSoftLimit();
        server.MaxConnections.Should().BeInRange(1, (int)(soft / 2));
        server.MaxConnections.Should().BeCloseTo(DescriptorLimit.MaxConnectionsFor(soft, DescriptorLimit.CountOpenDescriptors()), 8);
    }

    [Test]
    public async Task HandshakeTimeout_StalledClient_IsClosed()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            HandshakeTimeout = TimeSpan.FromSeconds(1),
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        // Half a greeting, then nothing: only the handshake timeout can end this session.
        await client.SendAsync(0x05, 0x01);

        await client.ShouldBeClosedAsync();
        await harness.AccessLog.WaitForCountAsync(1).WaitAsync(TestTimeouts.Generous);
        var metrics = harness.Server.GetMetrics();
        metrics.HandshakeTimeouts.Should().Be(1);
        metrics.FailedConnections.Should().Be(1);
    }

    [Test]
    public async Task HandshakeTimeout_ManualClock_ClosesWhenTheWholeHandshakeTakesTooLong()
    {
        var clock = new ManualTimeProvider();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            HandshakeTimeout = TimeSpan.FromSeconds(10),
            TimeProvider = clock,
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.SendAsync(0x05, 0x01, 0x02);
        (await client.ReceiveExactlyAsync(2)).Should().Equal(0x05, 0x02);

        clock.Advance(TimeSpan.FromSeconds(6));
        await client.SendAsync(SocksTestClient.UsernamePassword("user", "pass"));
        (await client.ReceiveExactlyAsync(2)).Should().Equal(0x01, 0x00);
        clock.Advance(TimeSpan.FromSeconds(4));

        await client.ShouldBeClosedAsync();
        (await harness.AccessLog.SingleAsync()).Username.Should().Equal(Encoding.ASCII.GetBytes("user"));
        harness.Server.GetMetrics().HandshakeTimeouts.Should().Be(1);
    }

    [Test]
    public async Task IdleTimeout_ManualClock_ClosesAnIdleRelayButNotAnActiveOne()
    {
        var clock = new ManualTimeProvider();
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            IdleTimeout = TimeSpan.FromMinutes(15),
            TimeProvider = clock,
        });
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);

        clock.Advance(TimeSpan.FromMinutes(10));
        await client.SendAsync("ping");
        (await client.ReceiveExactlyAsync(4)).Should().Equal("ping"u8.ToArray());
        clock.Advance(TimeSpan.FromMinutes(10));
        await client.SendAsync("pong");
        (await client.ReceiveExactlyAsync(4)).Should().Equal("pong"u8.ToArray(), "activity 10 minutes ago keeps the session");

        // The kernel's counters moved with the pong; the timer sees that at its next wake-up (an eighth of the
        // timeout later) and counts it then, so the session is idle a timeout and at most an eighth after the pong.
        clock.Advance(TimeSpan.FromMinutes(15) + (TimeSpan.FromMinutes(15) / ActivityTimer.ProbesPerTimeout));

        await client.ShouldBeClosedAsync();
        await harness.AccessLog.WaitForCountAsync(1).WaitAsync(TestTimeouts.Generous);
        var metrics = harness.Server.GetMetrics();
        metrics.IdleTimeouts.Should().Be(1);
        metrics.SuccessfulConnections.Should().Be(1);
        metrics.FailedConnections.Should().Be(0);
    }

    [Test]
    public async Task CloseSessionsOfUser_OpenRelayedSession_ClosesOnlyThatUsersSessions()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("alice", "a-pass"), ("bob", "b-pass")),
            AccessLog = log,
        });
        using var alice1 = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, "alice", "a-pass");
        using var alice2 = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, "alice", "a-pass");
        using var bob = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, "bob", "b-pass");

        var closed = harness.Server.CloseSessionsOfUser("alice"u8);

        closed.Should().Be(2);
        await alice1.ShouldBeClosedAsync();
        await alice2.ShouldBeClosedAsync();
        await bob.SendAsync("still here");
        (await bob.ReceiveExactlyAsync(10)).Should().Equal("still here"u8.ToArray());
        await harness.AccessLog.WaitForCountAsync(2).WaitAsync(TestTimeouts.Generous);
        harness.Server.GetMetrics().ConcurrentConnections.Should().Be(1);
    }

    [Test]
    public async Task UserStoreRemove_UserWithOpenSession_SessionIsClosed()
    {
        var users = TestUsers.Create(("alice", "a-pass"));
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = users, UserDirectory = users, AccessLog = log });
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, "alice", "a-pass");

        users.Remove("alice"u8);

        await client.ShouldBeClosedAsync();
    }

    [Test]
    public async Task MaxConnections_AtTheLimit_NextClientIsClosedAtOnceAndServedAfterASessionEnds()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            MaxConnections = 2,
        });
        using var first = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        using var second = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);

        using (var third = await SocksTestClient.ConnectAsync(harness.EndPoint))
        {
            await third.ShouldBeClosedAsync();
        }

        var atLimit = harness.Server.GetMetrics();
        atLimit.RejectedAtLimit.Should().Be(1);
        atLimit.HistoricalConnections.Should().Be(3);
        atLimit.FailedConnections.Should().Be(1);
        atLimit.ConcurrentConnections.Should().Be(2);

        first.Dispose();
        await harness.AccessLog.WaitForCountAsync(2).WaitAsync(TestTimeouts.Generous);
        using var fourth = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        await fourth.SendAsync("ok");
        (await fourth.ReceiveExactlyAsync(2)).Should().Equal("ok"u8.ToArray());
    }

    [Test]
    public async Task StopAsync_OpenSession_StopsListeningAtOnceAndLetsTheSessionFinish()
    {
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        using var accepted = await target.AcceptAsync();

        var stop = harness.Server.StopAsync(TimeSpan.FromMinutes(5));

        await Listeners.WaitUntilRefusedAsync(harness.EndPoint);
        stop.IsCompleted.Should().BeFalse("a session is still open");
        await client.SendAsync("bye");
        client.Socket.Shutdown(SocketShutdown.Send);
        var received = new byte[3];
        (await accepted.ReceiveAsync(received.AsMemory(), SocketFlags.None)).Should().Be(3);
        accepted.Shutdown(SocketShutdown.Both);
        await stop.WaitAsync(TestTimeouts.Generous);

        // Probes that reached the listener before it closed have records of their own.
        harness.AccessLog.Records.Should().ContainSingle(r => r.Reply == ReplyCode.Succeeded).Which.BytesClientToTarget.Should().Be(3);
    }

    [Test]
    public async Task StopAsync_DeadlinePasses_AbortsRemainingSessionsAndRecordsEach()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.StartWithUser();
        using var relaying = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        using var handshaking = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await handshaking.SendAsync(0x05, 0x01, 0x02);
        await handshaking.ReceiveExactlyAsync(2);

        await harness.Server.StopAsync(TimeSpan.Zero).WaitAsync(TestTimeouts.Generous);

        await relaying.ShouldBeClosedAsync();
        await handshaking.ShouldBeClosedAsync();
        harness.AccessLog.Records.Should().HaveCount(2);
        harness.Server.GetMetrics().ConcurrentConnections.Should().Be(0);
    }

    [Test]
    public async Task StopAsync_Cancelled_AbortsRemainingSessions()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        using var cancel = new CancellationTokenSource();

        var stop = harness.Server.StopAsync(Timeout.InfiniteTimeSpan, cancel.Token);
        await Listeners.WaitUntilRefusedAsync(harness.EndPoint);
        await cancel.CancelAsync();

        await stop.WaitAsync(TestTimeouts.Generous);
        await client.ShouldBeClosedAsync();
        harness.AccessLog.Records.Should().ContainSingle(r => r.Reply == ReplyCode.Succeeded);
        harness.Server.GetMetrics().ConcurrentConnections.Should().Be(0);
    }

    [Test]
    [CancelAfter(TestTimeouts.LongTestMilliseconds)]
    public async Task ConcurrentSessions_1000Echoing_AllSucceedAndAreCounted()
    {
        const int Sessions = 1000;
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.StartAnonymous();
        using var gate = new SemaphoreSlim(64);
        var clients = await Task.WhenAll(Enumerable.Range(0, Sessions).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                return await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, user: null);
            }
            finally
            {
                gate.Release();
            }
        }));

        try
        {
            harness.Server.GetMetrics().ConcurrentConnections.Should().Be(Sessions);
            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                var message = Encoding.ASCII.GetBytes($"session {i:D4}");
                await client.SendAsync(message);
                (await client.ReceiveExactlyAsync(message.Length)).Should().Equal(message);
                client.Socket.Shutdown(SocketShutdown.Send);
                await client.ShouldBeClosedAsync();
            }));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        await harness.AccessLog.WaitForCountAsync(Sessions).WaitAsync(TestTimeouts.Generous);
        var metrics = harness.Server.GetMetrics();
        metrics.HistoricalConnections.Should().Be(Sessions);
        metrics.SuccessfulConnections.Should().Be(Sessions);
        metrics.FailedConnections.Should().Be(0);
        metrics.ConcurrentConnections.Should().Be(0);
        // Anonymous handshake: greeting 3 + method 2 + request 10 + reply 10 = 25; payload 12 each way.
        metrics.ClientBytes.Should().Be(Sessions * (25 + (2 * 12)));
        metrics.BytesTransferred.Should().Be(Sessions * (25 + (4 * 12)));
    }

    [Test]
    public async Task Sessions_ManyOpenedAndClosed_LeaveNoDescriptorBehind()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.StartWithUser();
        await RunSessionsAsync(harness, target, 5, 0);
        var before = OpenDescriptors();

        await RunSessionsAsync(harness, target, 100, 5);
        await target.WhenConnectionsClosedAsync();

        OpenDescriptors().Should().BeLessThanOrEqualTo(before);
        harness.Server.GetMetrics().ConcurrentConnections.Should().Be(0);

        static async Task RunSessionsAsync(ServerHarness harness, TestTarget target, int count, int recordsBefore)
        {
            for (var i = 0; i < count; i++)
            {
                using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
                await client.SendAsync("x");
                await client.ReceiveExactlyAsync(1);
                client.Socket.Shutdown(SocketShutdown.Send);
                await client.ShouldBeClosedAsync();
            }

            // Refused and failed sessions too.
            using (var refused = await SocksTestClient.ConnectAsync(harness.EndPoint))
            {
                await refused.SendAsync(0x05, 0x01, 0x00);
                (await refused.ReadToEndAsync()).Should().Equal(0x05, 0xFF);
            }

            // A record is written after the session closed both its sockets.
            await harness.AccessLog.WaitForCountAsync(recordsBefore + count + 1).WaitAsync(TestTimeouts.Generous);
        }
    }

    [Test]
    public async Task Metrics_AfterMixedSessions_HistoricalIsSuccessfulPlusFailedPlusNegotiating()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.StartWithUser();
        using var ok = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        using var negotiating = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await negotiating.SendAsync(0x05, 0x01, 0x02);
        await negotiating.ReceiveExactlyAsync(2);
        using (var bad = await SocksTestClient.ConnectAsync(harness.EndPoint))
        {
            await bad.SendAsync(0x05, 0x01, 0x00);
            (await bad.ReadToEndAsync()).Should().Equal(0x05, 0xFF);
        }

        await harness.AccessLog.WaitForCountAsync(1).WaitAsync(TestTimeouts.Generous);
        var metrics = harness.Server.GetMetrics();

        metrics.HistoricalConnections.Should().Be(3);
        metrics.SuccessfulConnections.Should().Be(1);
        metrics.FailedConnections.Should().Be(1);
        metrics.NegotiatingConnections.Should().Be(1);
        metrics.ConcurrentConnections.Should().Be(2);
        metrics.NoAcceptableMethods.Should().Be(1);
        // ok: 38 handshake bytes; negotiating: 3 + 2; bad: 3 + 2.
        metrics.ClientBytes.Should().Be(38 + 5 + 5);
        metrics.BytesTransferred.Should().Be(metrics.ClientBytes);
    }

    private static IPEndPoint FreeEndPoint()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    // Sockets only: the runtime opens files lazily (assemblies, symbols) while tests run, which is no leak.
    private static int OpenDescriptors() =>
        Directory.GetFiles("/proc/self/fd").Count(fd => new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true);
}
