using System.Net;
using System.Net.Sockets;
using System.Text;
using Socks.Core.AccessLog;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Commands.Bind;

/// <summary>
/// BIND (RFC 1928 §4, §6) over real loopback sockets: the two replies, the relay with the peer, the expected-peer
/// check, the bind timeout, the client leaving during the wait, the policy's word on the peer, and BIND switched off.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class BindCommandTests
{
    private static readonly IPEndPoint AnyPeer = new(IPAddress.Any, 0);

    [Test]
    public async Task Bind_PeerConnects_TwoRepliesThenRelaysBothWays()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        await client.SendAsync(SocksTestClient.ConnectRequest(AnyPeer, command: 0x02));
        var first = await client.ReadReplyAsync();

        first.Code.Should().Be(ReplyCode.Succeeded);
        first.AddressType.Should().Be(0x01);
        first.Address.Should().Be(IPAddress.Loopback, "with no expected peer the proxy listens where the client reached it");
        first.Port.Should().NotBe(0);
        harness.Server.GetMetrics().SuccessfulConnections.Should().Be(0, "a BIND succeeds with its second reply");

        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await peer.ConnectAsync(new IPEndPoint(first.Address!, first.Port)).WaitAsync(TestTimeouts.Generous);
        var second = await client.ReadReplyAsync();

        second.Code.Should().Be(ReplyCode.Succeeded);
        new IPEndPoint(second.Address!, second.Port).Should().Be((IPEndPoint)peer.LocalEndPoint!);
        await peer.SendAsync("from peer"u8.ToArray()).WaitAsync(TestTimeouts.Generous);
        Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(9)).Should().Be("from peer");
        await client.SendAsync("from client!");
        Encoding.ASCII.GetString(await ReceiveExactlyAsync(peer, 12)).Should().Be("from client!");
        peer.Shutdown(SocketShutdown.Send);
        (await client.ReadToEndAsync()).Should().BeEmpty();
        client.Socket.Shutdown(SocketShutdown.Send);

        var record = await harness.AccessLog.SingleAsync();
        record.Command.Should().Be(SocksCommand.Bind);
        record.Reply.Should().Be(ReplyCode.Succeeded);
        record.Connected.Should().Be((IPEndPoint)peer.LocalEndPoint!);
        record.RequestedHost.Should().Equal("0.0.0.0"u8.ToArray());
        record.EndReason.Should().Be(AccessLogEndReason.Ok);
        record.BytesClientToTarget.Should().Be(12);
        record.BytesTargetToClient.Should().Be(9);
        var metrics = harness.Server.GetMetrics();
        metrics.SuccessfulConnections.Should().Be(1, "one session, counted once for its two X'00' replies");
        metrics.FailedConnections.Should().Be(0);

        // The listener was closed once the peer was accepted.
        (await ConnectFailsAsync(new IPEndPoint(first.Address!, first.Port))).Should().BeTrue();
    }

    [TestCase("127.0.0.2", ReplyCode.Succeeded, AccessLogEndReason.Ok, TestName = "Bind_PeerIsTheRequestedHost_Replies00")]
    [TestCase("127.0.0.3", ReplyCode.ConnectionNotAllowed, AccessLogEndReason.Denied, TestName = "Bind_PeerFromAnotherHost_Replies02AndCloses")]
    public async Task Bind_RequestedHost_OnlyThatHostIsRelayed(string peerAddress, ReplyCode expected, AccessLogEndReason reason)
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");
        await client.SendAsync(SocksTestClient.ConnectRequest(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 21), command: 0x02));
        var first = await client.ReadReplyAsync();
        first.Code.Should().Be(ReplyCode.Succeeded);

        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        peer.Bind(new IPEndPoint(IPAddress.Parse(peerAddress), 0));
        await peer.ConnectAsync(new IPEndPoint(first.Address!, first.Port)).WaitAsync(TestTimeouts.Generous);
        var second = await client.ReadReplyAsync();

        second.Code.Should().Be(expected);
        if (expected == ReplyCode.Succeeded)
        {
            client.Socket.Shutdown(SocketShutdown.Send);
            peer.Shutdown(SocketShutdown.Send);
            (await client.ReadToEndAsync()).Should().BeEmpty();
        }
        else
        {
            await client.ShouldBeClosedAsync();
            (await ReadToEndAsync(peer)).Should().Be(0, "the wrong peer is closed without a byte");
        }

        var record = await harness.AccessLog.SingleAsync();
        record.Reply.Should().Be(expected);
        record.EndReason.Should().Be(reason);
        record.Connected.Should().Be(expected == ReplyCode.Succeeded ? (IPEndPoint)peer.LocalEndPoint! : null);
    }

    [Test]
    public async Task Bind_NoPeerWithinTheBindTimeout_Replies06()
    {
        var clock = new ManualTimeProvider();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            TimeProvider = clock,
            BindTimeout = TimeSpan.FromSeconds(30),
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");
        await client.SendAsync(SocksTestClient.ConnectRequest(AnyPeer, command: 0x02));
        var first = await client.ReadReplyAsync();
        first.Code.Should().Be(ReplyCode.Succeeded);

        clock.Advance(TimeSpan.FromSeconds(30));

        (await client.ReadReplyAsync()).Should().Be(new SocksTestClient.Reply(ReplyCode.TtlExpired, 0x01, IPAddress.Any, 0));
        await client.ShouldBeClosedAsync();
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.BindTimeout);
        record.Reply.Should().Be(ReplyCode.TtlExpired);
        harness.Server.GetMetrics().FailuresWith(ReplyCode.TtlExpired).Should().Be(1);
        (await ConnectFailsAsync(new IPEndPoint(first.Address!, first.Port))).Should().BeTrue("the listener is closed");
    }

    [Test]
    public async Task Bind_ClientClosesWhileWaiting_SessionEndsAtOnce()
    {
        // No timeout would end it: the default is two minutes, far beyond the test's limit.
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");
        await client.SendAsync(SocksTestClient.ConnectRequest(AnyPeer, command: 0x02));
        var first = await client.ReadReplyAsync();
        first.Code.Should().Be(ReplyCode.Succeeded);

        client.Socket.Shutdown(SocketShutdown.Send);

        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.ClientClosed);
        record.Reply.Should().Be(ReplyCode.Succeeded, "the first reply was sent");
        record.Connected.Should().BeNull();
        var metrics = harness.Server.GetMetrics();
        metrics.SuccessfulConnections.Should().Be(0);
        metrics.FailedConnections.Should().Be(1);
        metrics.FailuresByReply.Should().BeEmpty("a first reply only is no failure code");
        metrics.ConcurrentConnections.Should().Be(0);
        (await ConnectFailsAsync(new IPEndPoint(first.Address!, first.Port))).Should().BeTrue("the listener is closed");
    }

    [Test]
    public async Task Bind_PolicyDeniesThePeer_RepliesTheDecisionsCode()
    {
        var asked = new List<IPEndPoint?>();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            AccessPolicy = new Policy(request =>
            {
                if (request.Phase != AccessPhase.Resolved)
                {
                    return AccessDecision.Allow;
                }

                lock (asked)
                {
                    asked.Add(request.Destination);
                }

                return AccessDecision.Deny(ReplyCode.HostUnreachable);
            }),
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");
        await client.SendAsync(SocksTestClient.ConnectRequest(AnyPeer, command: 0x02));
        var first = await client.ReadReplyAsync();

        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await peer.ConnectAsync(new IPEndPoint(first.Address!, first.Port)).WaitAsync(TestTimeouts.Generous);

        (await client.ReadReplyAsync()).Code.Should().Be(ReplyCode.HostUnreachable);
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.Denied);
        asked.Should().Equal((IPEndPoint)peer.LocalEndPoint!);
    }

    [Test]
    public async Task Bind_SwitchedOff_Replies07()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            AllowBind = false,
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        await client.SendAsync(SocksTestClient.ConnectRequest(AnyPeer, command: 0x02));

        (await client.ReadReplyAsync()).Code.Should().Be(ReplyCode.CommandNotSupported);
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.CommandNotSupported);
        record.Command.Should().Be(SocksCommand.Bind);
    }

    [Test]
    public async Task Bind_RequestedNameDoesNotResolve_Replies04WithoutListening()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            Resolver = (_, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        await client.SendAsync(SocksTestClient.DomainRequest("ftp.invalid"u8, 21, command: 0x02));

        (await client.ReadReplyAsync()).Code.Should().Be(ReplyCode.HostUnreachable);
        await client.ShouldBeClosedAsync();
        (await harness.AccessLog.SingleAsync()).EndReason.Should().Be(AccessLogEndReason.DialFailed);
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
            if (n == 0)
            {
                throw new EndOfStreamException($"EOF after {read} of {count} bytes");
            }

            read += n;
        }

        return buffer;
    }

    /// <summary>Reads until EOF or reset; returns how many bytes came.</summary>
    private static async Task<int> ReadToEndAsync(Socket socket)
    {
        var total = 0;
        var buffer = new byte[256];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TestTimeouts.Generous)) > 0)
            {
                total += n;
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A reset is a close too.
        }

        return total;
    }

    private static async Task<bool> ConnectFailsAsync(IPEndPoint endPoint)
    {
        using var probe = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await probe.ConnectAsync(endPoint).WaitAsync(TestTimeouts.Generous);
            return false;
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }

    private sealed class Policy(Func<AccessRequest, AccessDecision> decide) : IAccessPolicy
    {
        public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(decide(request));
    }
}
