using System.Net;
using System.Net.Sockets;
using System.Text;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Server;

[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class SocksServerHandshakeTests
{
    [Test]
    public async Task Connect_WithUserAndIPv4_RelaysAndRecordsSession()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.StartWithUser();

        using (var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint))
        {
            await client.SendAsync("hello");
            Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(5)).Should().Be("hello");
            client.Socket.Shutdown(SocketShutdown.Send);
            (await client.ReadToEndAsync()).Should().BeEmpty();
        }

        var record = await harness.AccessLog.SingleAsync();
        record.Username.Should().Equal(Encoding.ASCII.GetBytes("user"));
        record.Reply.Should().Be(ReplyCode.Succeeded);
        record.RequestedHost.Should().Equal(Encoding.ASCII.GetBytes("127.0.0.1"));
        record.RequestedPort.Should().Be((ushort)target.EndPoint.Port);
        record.Connected.Should().Be(target.EndPoint);
        record.BytesClientToTarget.Should().Be(5);
        record.BytesTargetToClient.Should().Be(5);
        record.End.Should().BeOnOrAfter(record.Start);
    }

    [Test]
    public async Task Connect_Succeeds_ReplyCarriesOutboundLocalEndPoint()
    {
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        var replyTask = client.RequestConnectAsync(target.EndPoint);
        using var accepted = await target.AcceptAsync();
        var reply = await replyTask;

        reply.Code.Should().Be(ReplyCode.Succeeded);
        reply.AddressType.Should().Be(0x01);
        new IPEndPoint(reply.Address!, reply.Port).Should().Be((IPEndPoint)accepted.RemoteEndPoint!);
    }

    [Test]
    public async Task Connect_RefusedPort_Replies05()
    {
        var closedPort = ClosedPort();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        var reply = await client.RequestConnectAsync(new IPEndPoint(IPAddress.Loopback, closedPort));

        reply.Should().Be(new SocksTestClient.Reply(ReplyCode.ConnectionRefused, 0x01, IPAddress.Any, 0));
        await client.ShouldBeClosedAsync();
        (await harness.AccessLog.SingleAsync()).Reply.Should().Be(ReplyCode.ConnectionRefused);
        harness.Server.GetMetrics().FailuresWith(ReplyCode.ConnectionRefused).Should().Be(1);
    }

    [Test]
    public async Task Connect_NameThatDoesNotResolve_Replies04()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            Resolver = (_, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        var reply = await client.RequestConnectAsync("no-such-host.invalid", 80);

        reply.Code.Should().Be(ReplyCode.HostUnreachable);
        await client.ShouldBeClosedAsync();
        var record = await harness.AccessLog.SingleAsync();
        record.RequestedHost.Should().Equal(Encoding.ASCII.GetBytes("no-such-host.invalid"));
        record.Reply.Should().Be(ReplyCode.HostUnreachable);
    }

    [Test]
    public async Task Connect_DeniedByPolicy_Replies02()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            AccessPolicy = new DenyAll(),
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        var reply = await client.RequestConnectAsync(target.EndPoint);

        reply.Code.Should().Be(ReplyCode.ConnectionNotAllowed);
        await client.ShouldBeClosedAsync();
    }

    [Test]
    public async Task Request_UnknownAddressType_Replies08AndCloses()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        await client.SendAsync(0x05, 0x01, 0x00, 0x02, 127, 0, 0, 1, 0, 80);

        (await client.ReadToEndAsync()).Should().Equal(0x05, 0x08, 0x00, 0x01, 0, 0, 0, 0, 0, 0);
        (await harness.AccessLog.SingleAsync()).Reply.Should().Be(ReplyCode.AddressTypeNotSupported);
    }

    [TestCase((byte)0xF2, TestName = "Request_UnassignedExtension_Replies07")]
    [TestCase((byte)0x09, TestName = "Request_UnknownCommand_Replies07")]
    public async Task Request_UnsupportedCommand_Replies07(byte command)
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        await client.SendAsync(SocksTestClient.ConnectRequest(target.EndPoint, command));

        (await client.ReadToEndAsync()).Should().Equal(0x05, 0x07, 0x00, 0x01, 0, 0, 0, 0, 0, 0);
        target.Peers.Should().BeEmpty();
        harness.Server.GetMetrics().FailuresWith(ReplyCode.CommandNotSupported).Should().Be(1);
    }

    [Test]
    public async Task Auth_WrongPassword_Replies0101ThenCloses()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.SendAsync(0x05, 0x01, 0x02);
        (await client.ReceiveExactlyAsync(2)).Should().Equal(0x05, 0x02);

        await client.SendAsync(SocksTestClient.UsernamePassword("user", "wrong"));

        (await client.ReadToEndAsync()).Should().Equal(0x01, 0x01);
        var record = await harness.AccessLog.SingleAsync();
        record.Username.Should().Equal(Encoding.ASCII.GetBytes("user"), "the name tried is recorded");
        record.Reply.Should().BeNull();
        var metrics = harness.Server.GetMetrics();
        metrics.AuthenticationFailures.Should().Be(1);
        metrics.FailedConnections.Should().Be(1);
        metrics.SuccessfulConnections.Should().Be(0);
    }

    [Test]
    public async Task Auth_UnknownUser_Replies0101ThenCloses()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.SendAsync(0x05, 0x01, 0x02);
        (await client.ReceiveExactlyAsync(2)).Should().Equal(0x05, 0x02);

        await client.SendAsync(SocksTestClient.UsernamePassword("nobody", "pass"));

        (await client.ReadToEndAsync()).Should().Equal(0x01, 0x01);
    }

    [Test]
    public async Task Auth_SubnegotiationVersion05_ClosesWithoutStatus()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.SendAsync(0x05, 0x01, 0x02);
        (await client.ReceiveExactlyAsync(2)).Should().Equal(0x05, 0x02);

        var request = SocksTestClient.UsernamePassword("user", "pass");
        request[0] = 0x05;
        await client.SendAsync(request);

        await client.ShouldBeClosedAsync();
    }

    [Test]
    public async Task Greeting_WithoutUsernamePasswordWhileUsersExist_Replies05FF()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.SendAsync(0x05, 0x02, 0x00, 0x01);

        (await client.ReadToEndAsync()).Should().Equal(0x05, 0xFF);
        harness.Server.GetMetrics().NoAcceptableMethods.Should().Be(1);
        (await harness.AccessLog.SingleAsync()).Reply.Should().BeNull();
    }

    [Test]
    public async Task Greeting_NoMethods_Replies05FF()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.SendAsync(0x05, 0x00);

        (await client.ReadToEndAsync()).Should().Equal(0x05, 0xFF);
    }

    [Test]
    public async Task Greeting_Socks4_ClosesWithoutReply()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.SendAsync(0x04, 0x01, 0x00, 0x50, 127, 0, 0, 1, 0);

        await client.ShouldBeClosedAsync();
        harness.Server.GetMetrics().FailedConnections.Should().Be(1);
    }

    [TestCase(false, new byte[] { 0x00 }, (byte)0xFF, TestName = "Anonymous_NoUsersNotAllowed_EveryoneGets05FF")]
    [TestCase(false, new byte[] { 0x00, 0x02 }, (byte)0xFF, TestName = "Anonymous_NoUsersNotAllowedEvenWithMethod02_Gets05FF")]
    [TestCase(true, new byte[] { 0x00 }, (byte)0x00, TestName = "Anonymous_NoUsersAllowed_Method00Accepted")]
    [TestCase(true, new byte[] { 0x02, 0x00 }, (byte)0x00, TestName = "Anonymous_NoUsersAllowedOfferingBoth_Method00Chosen")]
    [TestCase(true, new byte[] { 0x02 }, (byte)0xFF, TestName = "Anonymous_NoUsersAllowedOnlyMethod02_Gets05FF")]
    public async Task Greeting_WithoutUsers_FollowsAnonymousRule(bool allowAnonymous, byte[] methods, byte expected)
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Empty(),
            AllowAnonymous = allowAnonymous,
            AccessLog = log,
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.SendAsync([0x05, (byte)methods.Length, .. methods]);

        (await client.ReceiveExactlyAsync(2)).Should().Equal(0x05, expected);
        if (expected == 0xFF)
        {
            await client.ShouldBeClosedAsync();
        }
    }

    [TestCase(true, (byte)0x00, TestName = "Anonymous_NoUserStoreAllowed_Method00Chosen")]
    [TestCase(false, (byte)0xFF, TestName = "Anonymous_NoUserStoreNotAllowed_Gets05FF")]
    public async Task Greeting_WithoutAUserStore_FollowsAnonymousRule(bool allowAnonymous, byte expected)
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { AllowAnonymous = allowAnonymous, AccessLog = log });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.SendAsync(0x05, 0x02, 0x02, 0x00);

        (await client.ReceiveExactlyAsync(2)).Should().Equal(0x05, expected);
    }

    [Test]
    public async Task Greeting_AnonymousAllowedButUsersExist_RequiresUsernamePassword()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AllowAnonymous = true,
            AccessLog = log,
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.SendAsync(0x05, 0x01, 0x00);

        (await client.ReadToEndAsync()).Should().Equal(0x05, 0xFF);
    }

    [Test]
    public async Task Handshake_OneByteAtATime_Succeeds()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        byte[] greeting = [0x05, 0x01, 0x02];
        var auth = SocksTestClient.UsernamePassword("user", "pass");
        var request = SocksTestClient.ConnectRequest(target.EndPoint);

        foreach (var b in greeting)
        {
            await client.SendAsync(b);
        }

        (await client.ReceiveExactlyAsync(2)).Should().Equal(0x05, 0x02);
        foreach (var b in auth)
        {
            await client.SendAsync(b);
        }

        (await client.ReceiveExactlyAsync(2)).Should().Equal(0x01, 0x00);
        foreach (var b in request)
        {
            await client.SendAsync(b);
        }

        (await client.ReadReplyAsync()).Code.Should().Be(ReplyCode.Succeeded);
        await client.SendAsync("ping");
        Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(4)).Should().Be("ping");
    }

    [Test]
    public async Task Handshake_AllMessagesAndPayloadInOneWrite_ForwardsPayloadFirst()
    {
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        byte[] all = [0x05, 0x01, 0x02, .. SocksTestClient.UsernamePassword("user", "pass"), .. SocksTestClient.ConnectRequest(target.EndPoint), .. "GET / HTTP/1.0\r\n\r\n"u8];

        await client.SendAsync(all);
        using var accepted = await target.AcceptAsync();

        (await client.ReceiveExactlyAsync(4)).Should().Equal(0x05, 0x02, 0x01, 0x00);
        (await client.ReadReplyAsync()).Code.Should().Be(ReplyCode.Succeeded);
        var payload = new byte[18];
        var read = 0;
        while (read < payload.Length)
        {
            read += await accepted.ReceiveAsync(payload.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
        }

        Encoding.ASCII.GetString(payload).Should().Be("GET / HTTP/1.0\r\n\r\n");
        await accepted.SendAsync("OK"u8.ToArray(), SocketFlags.None);
        Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(2)).Should().Be("OK");
    }

    [TestCase("127.0.0.1", TestName = "Connect_NameResolvingToBothFamilies_ReachesTargetOnIPv4Only")]
    [TestCase("::1", TestName = "Connect_NameResolvingToBothFamilies_ReachesTargetOnIPv6Only")]
    public async Task Connect_NameResolvingToBothFamilies_ReachesTheListeningOne(string listenOn)
    {
        var address = IPAddress.Parse(listenOn);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && !Socket.OSSupportsIPv6)
        {
            Assert.Ignore("IPv6 loopback is not available here.");
        }

        await using var target = TestTarget.Echo(address);
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            Resolver = (name, _) => Task.FromResult(name == "dual.test" ? new[] { IPAddress.IPv6Loopback, IPAddress.Loopback } : []),
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        var reply = await client.RequestConnectAsync("dual.test", target.EndPoint.Port);

        reply.Code.Should().Be(ReplyCode.Succeeded);
        await client.SendAsync("x");
        (await client.ReceiveExactlyAsync(1)).Should().Equal((byte)'x');
        client.Dispose();
        (await harness.AccessLog.SingleAsync()).Connected.Should().Be(new IPEndPoint(address, target.EndPoint.Port));
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private sealed class DenyAll : IAccessPolicy
    {
        public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(request.Phase == AccessPhase.Resolved ? AccessDecision.DenyByRuleset : AccessDecision.Allow);
    }
}
