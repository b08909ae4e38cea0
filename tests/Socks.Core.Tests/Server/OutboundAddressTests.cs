using System.Net;
using System.Text;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Server;

/// <summary><see cref="SocksServerOptions.OutboundAddresses"/> on real loopback sockets: CONNECT's source, BIND's listener, validation.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class OutboundAddressTests
{
    [Test]
    public async Task Connect_WithAnIPv4OutboundAddress_TheTargetSeesIt()
    {
        await using var target = TestTarget.Echo(IPAddress.Any);
        await using var harness = Start(IPAddress.Parse("127.0.0.2"));

        using (var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, new IPEndPoint(IPAddress.Loopback, target.EndPoint.Port)))
        {
            await client.SendAsync("ping");
            Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(4)).Should().Be("ping");
        }

        target.Peers.Select(p => p.Address).Should().Equal(IPAddress.Parse("127.0.0.2"));
    }

    [Test]
    public async Task Bind_WithAnOutboundAddressOfTheFamily_ListensOnIt()
    {
        await using var harness = Start(IPAddress.Parse("127.0.0.3"));
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        await client.SendAsync(SocksTestClient.ConnectRequest(new IPEndPoint(IPAddress.Any, 0), command: 0x02));
        var first = await client.ReadReplyAsync();

        first.Code.Should().Be(ReplyCode.Succeeded);
        first.Address.Should().Be(IPAddress.Parse("127.0.0.3"), "without -b it would be 127.0.0.1, where the client reached the proxy");
    }

    [TestCase("127.0.0.2", "127.0.0.3")]
    [TestCase("::1", "::2")]
    [TestCase("::ffff:127.0.0.2")]
    public void Options_MoreThanOnePerFamilyOrMapped_AreRefused(params string[] addresses)
    {
        var create = () => new SocksServer(new SocksServerOptions { OutboundAddresses = [.. addresses.Select(IPAddress.Parse)] });

        create.Should().Throw<ArgumentException>().WithParameterName("OutboundAddresses");
    }

    private static ServerHarness Start(IPAddress outbound) => ServerHarness.Start(log => new SocksServerOptions
    {
        Users = TestUsers.Create(("user", "pass")),
        AccessLog = log,
        OutboundAddresses = [outbound],
    });
}
