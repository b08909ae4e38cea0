using System.Net;
using System.Net.Sockets;
using System.Text;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Connectors;

/// <summary>A connector given in the options replaces the direct one for every CONNECT.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class CustomConnectorTests
{
    [Test]
    public async Task Connect_CustomConnector_IsAskedWithTheSessionAndItsSocketIsRelayed()
    {
        await using var target = TestTarget.Echo();
        var connector = new RedirectingConnector(target.EndPoint);
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            Connector = connector,
        });

        using (var client = await SocksTestClient.ConnectAsync(harness.EndPoint))
        {
            await client.NegotiateAsync("user");
            var reply = await client.RequestConnectAsync("elsewhere.example", 4242);
            reply.Code.Should().Be(ReplyCode.Succeeded);
            await client.SendAsync("hi");
            Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(2)).Should().Be("hi");
        }

        var record = await harness.AccessLog.SingleAsync();
        record.Connected.Should().Be(target.EndPoint);
        record.RequestedHost.Should().Equal(Encoding.ASCII.GetBytes("elsewhere.example"));
        connector.User.Should().Be("user");
        connector.Port.Should().Be(4242);
    }

    [Test]
    public async Task Connect_CustomConnectorFails_ItsCodeIsTheReply()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            Connector = new FailingConnector(ReplyCode.TtlExpired),
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        var reply = await client.RequestConnectAsync("anything.example", 80);

        reply.Code.Should().Be(ReplyCode.TtlExpired);
        await client.ShouldBeClosedAsync();
        (await harness.AccessLog.SingleAsync()).Reply.Should().Be(ReplyCode.TtlExpired);
    }

    private sealed class RedirectingConnector(IPEndPoint destination) : IConnector
    {
        public string? User { get; private set; }

        public int Port { get; private set; }

        public async ValueTask<ConnectResult> ConnectAsync(SessionContext session, CancellationToken cancellationToken)
        {
            User = Encoding.ASCII.GetString(session.Username.Span);
            Port = session.Request!.Port;
            var socket = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(destination, cancellationToken);
            return ConnectResult.Connected(socket, destination);
        }
    }

    private sealed class FailingConnector(ReplyCode reply) : IConnector
    {
        public ValueTask<ConnectResult> ConnectAsync(SessionContext session, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ConnectResult.Failed(reply, null));
    }
}
