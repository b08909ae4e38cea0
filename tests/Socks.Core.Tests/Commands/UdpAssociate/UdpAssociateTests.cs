using System.Net;
using System.Net.Sockets;
using System.Text;
using Socks.Core.AccessLog;
using Socks.Core.Metrics;
using Socks.Core.Protocol;
using Socks.Core.Tests.Connectors.Direct;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Commands.UdpAssociate;

/// <summary>
/// UDP ASSOCIATE through a real server on loopback, with raw sockets: every rule of the relay. A dropped datagram is
/// shown by sending it first and a valid one after it: the relay handles a client's datagrams in order, so when the
/// valid one's echo is back, the dropped one was handled (and counted) and never reached the echo server.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class UdpAssociateTests
{
    private static readonly byte[] Hello = Encoding.ASCII.GetBytes("hello");

    [Test]
    public async Task Associate_DatagramRoundTrip_RepliesWithRelayOnTheControlAddress_AndCountsIt()
    {
        await using var echo = new UdpEchoServer();
        await using var harness = ServerHarness.StartWithUser();
        using var control = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await control.NegotiateAsync("user");

        var reply = await control.RequestUdpAssociateAsync();

        reply.Code.Should().Be(ReplyCode.Succeeded);
        reply.Address.Should().Be(IPAddress.Loopback, "BND.ADDR is the address the client reached the proxy on");
        reply.Port.Should().NotBe(0);
        var relay = new IPEndPoint(reply.Address!, reply.Port);
        using var udp = new SocksUdpClient(relay, IPAddress.Loopback);
        var live = harness.Server.GetMetrics();
        live.ActiveUdpAssociations.Should().Be(1);

        await udp.SendAsync(echo.EndPoint, Hello);
        var (source, data) = await udp.ReceiveAsync();

        source.Should().Be(echo.EndPoint, "the reply is wrapped with its source's address");
        data.Should().Equal(Hello);
        echo.Received.Should().ContainSingle().Which.Should().Equal(Hello, "the header was taken off");

        control.Dispose();
        var record = await harness.AccessLog.SingleAsync();
        record.Command.Should().Be(SocksCommand.UdpAssociate);
        record.EndReason.Should().Be(AccessLogEndReason.Ok);
        record.Reply.Should().Be(ReplyCode.Succeeded);
        record.BytesClientToTarget.Should().Be(Hello.Length);
        record.BytesTargetToClient.Should().Be(Hello.Length);
        record.Udp.Should().BeEquivalentTo(new UdpAssociationSummary { DatagramsClientToTarget = 1, DatagramsTargetToClient = 1, Destinations = 1, Dropped = 0 });
        var metrics = harness.Server.GetMetrics();
        metrics.UdpAssociations.Should().Be(1);
        metrics.ActiveUdpAssociations.Should().Be(0);
        metrics.UdpDatagramsClientToTarget.Should().Be(1);
        metrics.UdpDatagramsTargetToClient.Should().Be(1);
        metrics.UdpBytesClientToTarget.Should().Be(Hello.Length);
        metrics.UdpBytesTargetToClient.Should().Be(Hello.Length);
        metrics.SuccessfulConnections.Should().Be(1);

        // GET_METRICS counts the datagrams as the session's bytes: the handshake (38) and both 15-byte datagrams on
        // the client leg, the two 5-byte DATA on the destination leg.
        metrics.ClientBytes.Should().Be(38 + 15 + 15);
        metrics.BytesTransferred.Should().Be(38 + 15 + 15 + 5 + 5);
    }

    [Test]
    public async Task Datagram_FromAnotherAddressThanTheClients_IsDroppedAndCounted()
    {
        await using var echo = new UdpEchoServer();
        await using var harness = ServerHarness.StartWithUser();
        var (control, relay) = await AssociateAsync(harness);
        using (control)
        {
            using var stranger = new SocksUdpClient(relay, IPAddress.Parse("127.0.0.2"));
            using var udp = new SocksUdpClient(relay, IPAddress.Loopback);

            await stranger.SendAsync(echo.EndPoint, Encoding.ASCII.GetBytes("stranger"));
            await udp.SendAsync(echo.EndPoint, Hello);

            (await udp.ReceiveAsync()).Data.Should().Equal(Hello);
            echo.Received.Should().ContainSingle().Which.Should().Equal(Hello);
            harness.Server.GetMetrics().UdpDroppedFor(UdpDropReason.WrongSource).Should().Be(1);
        }
    }

    [Test]
    public async Task Datagram_FromAnotherPortThanAnnounced_IsDropped()
    {
        await using var echo = new UdpEchoServer();
        await using var harness = ServerHarness.StartWithUser();
        using var udp = new SocksUdpClient(new IPEndPoint(IPAddress.Loopback, 1), IPAddress.Loopback);
        var (control, relay) = await AssociateAsync(harness, announce: udp.LocalEndPoint);
        using (control)
        using (var announced = new SocksUdpClient(relay, IPAddress.Loopback))
        {
            // Same address, another port than the one announced: dropped; then from the announced port: relayed.
            await announced.SendAsync(echo.EndPoint, Encoding.ASCII.GetBytes("other port"));
            await udp.Socket.SendToAsync(SocksUdpClient.Datagram(echo.EndPoint, Hello), SocketFlags.None, relay);
            var buffer = new byte[1024];
            var received = await udp.Socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TestTimeouts.Generous);

            SocksUdpClient.Parse(buffer.AsSpan(0, received)).Data.Should().Equal(Hello);
            echo.Received.Should().ContainSingle();
            harness.Server.GetMetrics().UdpDroppedFor(UdpDropReason.WrongSource).Should().Be(1);
        }
    }

    [Test]
    public async Task Datagram_AfterTheFirstFixedThePort_FromAnotherPort_IsDropped()
    {
        await using var echo = new UdpEchoServer();
        await using var harness = ServerHarness.StartWithUser();
        var (control, relay) = await AssociateAsync(harness);
        using (control)
        {
            using var first = new SocksUdpClient(relay, IPAddress.Loopback);
            using var second = new SocksUdpClient(relay, IPAddress.Loopback);
            await first.SendAsync(echo.EndPoint, Hello);
            (await first.ReceiveAsync()).Data.Should().Equal(Hello);

            await second.SendAsync(echo.EndPoint, Encoding.ASCII.GetBytes("second"));
            await first.SendAsync(echo.EndPoint, Hello);

            (await first.ReceiveAsync()).Data.Should().Equal(Hello);
            echo.Received.Should().HaveCount(2).And.OnlyContain(payload => payload.SequenceEqual(Hello));
            harness.Server.GetMetrics().UdpDroppedFor(UdpDropReason.WrongSource).Should().Be(1);
        }
    }

    [Test]
    public async Task Datagram_WithFragNotZero_IsDropped()
    {
        await using var echo = new UdpEchoServer();
        await using var harness = ServerHarness.StartWithUser();
        var (control, relay) = await AssociateAsync(harness);
        using (control)
        {
            using var udp = new SocksUdpClient(relay, IPAddress.Loopback);

            await udp.SendRawAsync(SocksUdpClient.Datagram(echo.EndPoint, Encoding.ASCII.GetBytes("fragment"), fragment: 1));
            await udp.SendRawAsync([0, 0, 0, 0x05, 1, 2]);
            await udp.SendAsync(echo.EndPoint, Hello);

            (await udp.ReceiveAsync()).Data.Should().Equal(Hello);
            echo.Received.Should().ContainSingle().Which.Should().Equal(Hello);
            var metrics = harness.Server.GetMetrics();
            metrics.UdpDroppedFor(UdpDropReason.Fragmented).Should().Be(1);
            metrics.UdpDroppedFor(UdpDropReason.Malformed).Should().Be(1, "ATYP 05 is unknown");
        }

        var record = await harness.AccessLog.SingleAsync();
        record.Udp!.Dropped.Should().Be(2);
    }

    [Test]
    public async Task ControlConnectionClosed_EndsTheAssociation_RelayPortNoLongerAnswers()
    {
        await using var echo = new UdpEchoServer();
        await using var harness = ServerHarness.StartWithUser();
        var (control, relay) = await AssociateAsync(harness);
        using var udp = new SocksUdpClient(relay, IPAddress.Loopback);
        await udp.SendAsync(echo.EndPoint, Hello);
        (await udp.ReceiveAsync()).Data.Should().Equal(Hello);

        control.Dispose();
        (await harness.AccessLog.SingleAsync()).EndReason.Should().Be(AccessLogEndReason.Ok);

        // The record is written after the sockets are closed: a datagram to the relay's port now gets ICMP port
        // unreachable, which a connected UDP socket reports as ECONNREFUSED.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await probe.ConnectAsync(relay);
        await probe.SendAsync(SocksUdpClient.Datagram(echo.EndPoint, Hello), SocketFlags.None);
        var receive = async () => await probe.ReceiveAsync(new byte[64], SocketFlags.None).WaitAsync(TestTimeouts.Generous);
        (await receive.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);
        harness.Server.GetMetrics().ActiveUdpAssociations.Should().Be(0);
    }

    [Test]
    public async Task Destination_DeniedByThePolicy_IsDroppedAndCounted()
    {
        await using var allowed = new UdpEchoServer();
        await using var denied = new UdpEchoServer();
        var policy = new RecordingPolicy(destination => destination.Port == denied.EndPoint.Port ? ReplyCode.ConnectionNotAllowed : ReplyCode.Succeeded, allowOtherPhases: true);
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = TestUsers.Create(("user", "pass")), AccessLog = log, AccessPolicy = policy });
        var (control, relay) = await AssociateAsync(harness);
        using (control)
        {
            using var udp = new SocksUdpClient(relay, IPAddress.Loopback);

            await udp.SendAsync(denied.EndPoint, Encoding.ASCII.GetBytes("denied"));
            await udp.SendAsync(denied.EndPoint, Encoding.ASCII.GetBytes("denied again"));
            await udp.SendAsync(allowed.EndPoint, Hello);

            (await udp.ReceiveAsync()).Source.Should().Be(allowed.EndPoint);
            harness.Server.GetMetrics().UdpDroppedFor(UdpDropReason.Denied).Should().Be(2);
            policy.Checked.Should().Equal([denied.EndPoint, allowed.EndPoint], "each destination is judged once, at the Resolved phase");
        }

        var record = await harness.AccessLog.SingleAsync();
        record.Udp!.Destinations.Should().Be(1, "only allowed destinations count");
        denied.Received.Should().BeEmpty();
    }

    [Test]
    public async Task Datagram_FromAnOutsiderTheClientNeverSentTo_IsNotRelayed()
    {
        await using var echo = new UdpEchoServer();
        await using var harness = ServerHarness.StartWithUser();
        var (control, relay) = await AssociateAsync(harness);
        using (control)
        {
            using var udp = new SocksUdpClient(relay, IPAddress.Loopback);
            await udp.SendAsync(echo.EndPoint, Hello);
            (await udp.ReceiveAsync()).Data.Should().Equal(Hello);

            // An outsider learns the relay's outside port from the echo server's view and sends to it.
            using var outsider = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            outsider.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var outsidePort = echo.Senders.Should().ContainSingle().Subject.Port;
            await outsider.SendToAsync(Encoding.ASCII.GetBytes("spoof"), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, outsidePort));
            await udp.SendAsync(echo.EndPoint, Hello);

            var (source, data) = await udp.ReceiveAsync();
            source.Should().Be(echo.EndPoint);
            data.Should().Equal(Hello);
            harness.Server.GetMetrics().UdpDroppedFor(UdpDropReason.UnknownSource).Should().Be(1);
        }
    }

    [Test]
    public async Task Datagram_ToAName_IsResolvedAndRelayed()
    {
        await using var echo = new UdpEchoServer();
        var lookups = 0;
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            Resolver = (name, _) =>
            {
                Interlocked.Increment(ref lookups);
                return Task.FromResult(name == "echo.test" ? new[] { IPAddress.Loopback } : []);
            },
        });
        var (control, relay) = await AssociateAsync(harness);
        using (control)
        {
            using var udp = new SocksUdpClient(relay, IPAddress.Loopback);

            await udp.SendRawAsync(SocksUdpClient.Datagram("nowhere.test", echo.EndPoint.Port, Encoding.ASCII.GetBytes("lost")));
            await udp.SendRawAsync(SocksUdpClient.Datagram("echo.test", echo.EndPoint.Port, Hello));
            var (source, data) = await udp.ReceiveAsync();
            source.Should().Be(echo.EndPoint, "the answer is wrapped with the resolved address");
            data.Should().Equal(Hello);

            // Again to the name: answered from the association's cache, no second lookup.
            await udp.SendRawAsync(SocksUdpClient.Datagram("echo.test", echo.EndPoint.Port, Hello));
            (await udp.ReceiveAsync()).Data.Should().Equal(Hello);
            lookups.Should().Be(2, "one lookup per name");
            echo.Received.Should().HaveCount(2);
            harness.Server.GetMetrics().UdpDroppedFor(UdpDropReason.Unresolved).Should().Be(1);
        }
    }

    [Test]
    public async Task Associate_OverIPv6_RelaysOnTheIPv6Address()
    {
        await using var echo = new UdpEchoServer(IPAddress.IPv6Loopback);
        var accessLog = new RecordingAccessLog();
        await using var server = new SocksServer(new SocksServerOptions { Users = TestUsers.Create(("user", "pass")), AccessLog = accessLog });
        server.Start([new IPEndPoint(IPAddress.IPv6Loopback, 0)]);
        using var control = await SocksTestClient.ConnectAsync(server.LocalEndPoints[0]);
        await control.NegotiateAsync("user");

        var reply = await control.RequestUdpAssociateAsync(new IPEndPoint(IPAddress.IPv6Any, 0));

        reply.Code.Should().Be(ReplyCode.Succeeded);
        reply.AddressType.Should().Be(0x04);
        reply.Address.Should().Be(IPAddress.IPv6Loopback);
        using var udp = new SocksUdpClient(new IPEndPoint(reply.Address!, reply.Port), IPAddress.IPv6Loopback);
        await udp.SendAsync(echo.EndPoint, Hello);
        var (source, data) = await udp.ReceiveAsync();
        source.Should().Be(echo.EndPoint, "an IPv6 source is wrapped as ATYP 04");
        data.Should().Equal(Hello);
    }

    [Test]
    public async Task UdpAssociate_WhenSwitchedOff_IsAnsweredCommandNotSupported()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = TestUsers.Create(("user", "pass")), AccessLog = log, UdpAssociate = false });
        using var control = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await control.NegotiateAsync("user");

        (await control.RequestUdpAssociateAsync()).Code.Should().Be(ReplyCode.CommandNotSupported);

        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.CommandNotSupported);
        record.Command.Should().Be(SocksCommand.UdpAssociate);
        record.Udp.Should().BeNull();
    }

    [Test]
    public async Task UdpAssociate_WithoutASecondPlaceUnderTheLimit_IsAnsweredGeneralFailure()
    {
        // Three places: the first association takes two, the second client's connection the third.
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = TestUsers.Create(("user", "pass")), AccessLog = log, MaxConnections = 3 });
        var (first, _) = await AssociateAsync(harness);
        using (first)
        {
            using var second = await SocksTestClient.ConnectAsync(harness.EndPoint);
            await second.NegotiateAsync("user");

            (await second.RequestUdpAssociateAsync()).Code.Should().Be(ReplyCode.GeneralFailure);
            await second.ShouldBeClosedAsync();
            var record = await harness.AccessLog.SingleAsync();
            record.EndReason.Should().Be(AccessLogEndReason.ConnectionLimit);
            record.Reply.Should().Be(ReplyCode.GeneralFailure);
            record.Command.Should().Be(SocksCommand.UdpAssociate);
        }

        // Both places of the association are given back when it ends.
        await harness.AccessLog.WaitForCountAsync(2);
        var (again, _) = await AssociateAsync(harness);
        again.Dispose();
    }

    [Test]
    public async Task Association_IdleForTheUdpIdleTimeout_IsClosedWithItsConnection()
    {
        var clock = new ManualTimeProvider();
        await using var echo = new UdpEchoServer();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            TimeProvider = clock,
            UdpIdleTimeout = TimeSpan.FromMinutes(1),
        });
        var (control, relay) = await AssociateAsync(harness);
        using (control)
        {
            // A round trip proves the relay (and its idle timer) runs before the clock moves.
            using var udp = new SocksUdpClient(relay, IPAddress.Loopback);
            await udp.SendAsync(echo.EndPoint, Hello);
            (await udp.ReceiveAsync()).Data.Should().Equal(Hello);

            clock.Advance(TimeSpan.FromMinutes(1));

            await control.ShouldBeClosedAsync();
            var record = await harness.AccessLog.SingleAsync();
            record.EndReason.Should().Be(AccessLogEndReason.IdleTimeout);
            record.Udp!.DatagramsClientToTarget.Should().Be(1);
        }
    }

    private static async Task<(SocksTestClient Control, IPEndPoint Relay)> AssociateAsync(ServerHarness harness, IPEndPoint? announce = null)
    {
        var control = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await control.NegotiateAsync("user");
        var reply = await control.RequestUdpAssociateAsync(announce);
        reply.Code.Should().Be(ReplyCode.Succeeded);
        return (control, new IPEndPoint(reply.Address!, reply.Port));
    }
}
