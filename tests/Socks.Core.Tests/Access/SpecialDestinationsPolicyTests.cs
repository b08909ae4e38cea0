using System.Net;
using Socks.Core.Access;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Access;

[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class SpecialDestinationsPolicyTests
{
    [TestCase("169.254.169.254")]
    [TestCase("169.254.0.1")]
    [TestCase("0.0.0.0")]
    [TestCase("0.1.2.3")]
    [TestCase("224.0.0.1")]
    [TestCase("239.255.255.250")]
    [TestCase("255.255.255.255")]
    [TestCase("::")]
    [TestCase("fe80::1")]
    [TestCase("febf::1")]
    [TestCase("ff02::1")]
    [TestCase("fd00:ec2::254")]
    [TestCase("::ffff:169.254.169.254")]
    [TestCase("::ffff:0.0.0.0")]
    public void IsSpecial_RefusedKinds_True(string address) =>
        SpecialDestinationsPolicy.IsSpecial(IPAddress.Parse(address)).Should().BeTrue();

    [TestCase("127.0.0.1")]
    [TestCase("::1")]
    [TestCase("10.1.2.3")]
    [TestCase("192.168.1.1")]
    [TestCase("172.16.0.1")]
    [TestCase("198.51.100.7")]
    [TestCase("169.253.255.255")]
    [TestCase("223.255.255.255")]
    [TestCase("255.255.255.254")]
    [TestCase("fec0::1")]
    [TestCase("fd00:ec2::253")]
    [TestCase("2001:db8::1")]
    [TestCase("::ffff:127.0.0.1")]
    public void IsSpecial_OrdinaryAddresses_False(string address) =>
        SpecialDestinationsPolicy.IsSpecial(IPAddress.Parse(address)).Should().BeFalse();

    [Test]
    public async Task Connect_MetadataLiteralAndNameResolvingToLinkLocal_Replies02WithoutDialing()
    {
        var resolved = new List<string>();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            AccessPolicy = SpecialDestinationsPolicy.Instance,
            Resolver = (name, _) =>
            {
                resolved.Add(name);
                return Task.FromResult(new[] { IPAddress.Parse("fe80::1"), IPAddress.Parse("::ffff:169.254.169.254") });
            },
        });

        foreach (var (host, port) in new[] { ("169.254.169.254", 80), ("metadata.example", 80) })
        {
            using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
            await client.NegotiateAsync("user");
            var reply = await client.RequestConnectAsync(host, port);
            reply.Code.Should().Be(ReplyCode.ConnectionNotAllowed, host);
            await client.ShouldBeClosedAsync();
        }

        resolved.Should().Equal("metadata.example");
        await harness.AccessLog.WaitForCountAsync(2);
        harness.AccessLog.Records.Should().OnlyContain(r => r.Reply == ReplyCode.ConnectionNotAllowed && r.Connected == null);
    }

    [Test]
    public async Task Connect_LoopbackTarget_IsAllowed()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            AccessPolicy = SpecialDestinationsPolicy.Instance,
        });

        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        await client.SendAsync("x");
        (await client.ReceiveExactlyAsync(1)).Should().Equal((byte)'x');
    }
}
