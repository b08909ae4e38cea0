using System.Net;
using System.Text;
using Socks.Core.Access.Rules;
using Socks.Core.AccessLog;
using Socks.Core.Logging;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Access.Rules;

/// <summary>A rules file as the access policy of a real server on loopback: the replies, the records, the method.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class AccessRulesPolicyTests
{
    [Test]
    public async Task Connect_DeniedByARule_GetsRep02AndTheRecordNamesTheRuleLine()
    {
        await using var target = TestTarget.Echo();
        await using var harness = Start($"# rules\nallow user=user port=1\ndeny port={target.EndPoint.Port}\nallow\n");
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        var reply = await client.RequestConnectAsync(target.EndPoint);

        reply.Code.Should().Be(ReplyCode.ConnectionNotAllowed);
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.Denied);
        record.DeniedByRule.Should().Be(3);
        var fields = AccessLogFormatter.Format(record).Split('\t');
        fields.Should().HaveCount(13);
        fields[11].Should().Be("denied");
        fields[12].Should().Be("3");
        target.Peers.Should().BeEmpty();
    }

    [Test]
    public async Task Connect_NoRuleMatches_DeniedWithDefault()
    {
        await using var target = TestTarget.Echo();
        await using var harness = Start("allow user=someone-else\n");
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        (await client.RequestConnectAsync(target.EndPoint)).Code.Should().Be(ReplyCode.ConnectionNotAllowed);

        var record = await harness.AccessLog.SingleAsync();
        record.DeniedByRule.Should().Be(0);
        AccessLogFormatter.Format(record).Split('\t')[12].Should().Be("default");
    }

    [Test]
    public async Task Connect_NameDeniedByResolvedAddress_DeniedAtTheResolvedPhase()
    {
        await using var target = TestTarget.Echo();
        await using var harness = Start("deny dest=127.0.0.0/8,::1\nallow\n");
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        (await client.RequestConnectAsync("localhost", target.EndPoint.Port)).Code.Should().Be(ReplyCode.ConnectionNotAllowed);

        (await harness.AccessLog.SingleAsync()).DeniedByRule.Should().Be(1);
        target.Peers.Should().BeEmpty();
    }

    [Test]
    public async Task Connect_Allowed_Relays()
    {
        await using var target = TestTarget.Echo();
        await using var harness = Start($"allow user=user dest=127.0.0.1 port={target.EndPoint.Port}\n");

        using (var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint))
        {
            await client.SendAsync("ping");
            Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(4)).Should().Be("ping");
        }

        var record = await harness.AccessLog.SingleAsync();
        record.Reply.Should().Be(ReplyCode.Succeeded);
        AccessLogFormatter.Format(record).Split('\t').Should().HaveCount(12, "only denied records get field 13");
    }

    [Test]
    public async Task Method_AnonymousNetworkGetsNoAuthentication_OthersMustAuthenticate()
    {
        await using var target = TestTarget.Echo();
        await using var harness = Start("allow client=127.0.0.2 user=anonymous\nallow user=*\n");

        using (var anonymous = await SocksTestClient.ConnectAsync(harness.EndPoint, from: IPAddress.Parse("127.0.0.2")))
        {
            await anonymous.NegotiateAsync(user: null);
            (await anonymous.RequestConnectAsync(target.EndPoint)).Code.Should().Be(ReplyCode.Succeeded);
        }

        using (var refused = await SocksTestClient.ConnectAsync(harness.EndPoint, from: IPAddress.Loopback))
        {
            await refused.SendAsync(0x05, 0x01, 0x00);
            (await refused.ReceiveExactlyAsync(2)).Should().Equal(0x05, 0xFF);
        }

        using (var both = await SocksTestClient.ConnectAsync(harness.EndPoint, from: IPAddress.Parse("127.0.0.2")))
        {
            await both.SendAsync(0x05, 0x02, 0x00, 0x02);
            (await both.ReceiveExactlyAsync(2)).Should().Equal([0x05, 0x02], "a client with credentials authenticates when there are users");
        }
    }

    [Test]
    public async Task Reload_ReplacingTheRules_AppliesToTheNextRequest()
    {
        await using var target = TestTarget.Echo();
        var policy = new AccessRulesPolicy(AccessRuleSet.Parse("deny\n", "r"));
        await using var harness = Start(policy);
        using (var client = await SocksTestClient.ConnectAsync(harness.EndPoint))
        {
            await client.NegotiateAsync("user");
            (await client.RequestConnectAsync(target.EndPoint)).Code.Should().Be(ReplyCode.ConnectionNotAllowed);
        }

        policy.Rules = AccessRuleSet.Parse("allow\n", "r");

        using var again = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
    }

    private static ServerHarness Start(string rules) => Start(new AccessRulesPolicy(AccessRuleSet.Parse(rules, "rules.conf")));

    private static ServerHarness Start(AccessRulesPolicy policy) => ServerHarness.Start(log => new SocksServerOptions
    {
        Users = TestUsers.Create(("user", "pass")),
        AccessLog = log,
        AccessPolicy = policy,
        AnonymousAccess = policy,
    });
}

/// <summary>The policy's own path (session, request, decision) allocates nothing either.</summary>
public sealed class AccessRulesPolicyAllocationTests
{
    [Test]
    public void EvaluateAsync_RequestedAndResolved_AllocatesNothing()
    {
        var policy = new AccessRulesPolicy(AccessRuleSet.Parse(
            "deny client=192.0.2.0/24\nallow user=alice dest=*.example.com port=443\ndeny dest=10.0.0.0/8\nallow user=anonymous\n", "r"));
        var session = new SessionContext(1, new IPEndPoint(IPAddress.Loopback, 40000), null, TimeProvider.System, CancellationToken.None);
        var name = "www.example.com"u8.ToArray();
        session.Request = new SocksRequest(0x01, AddressType.DomainName, null, name, 443, name);
        session.SetUsername("alice"u8.ToArray());
        var destination = new IPEndPoint(IPAddress.Parse("10.1.2.3"), 443);
        Run(policy, session, destination).Should().Be(2, "both phases allow alice's request to www.example.com:443");

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Run(policy, session, destination);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    private static int Run(AccessRulesPolicy policy, SessionContext session, IPEndPoint destination)
    {
        var allowed = policy.EvaluateAsync(new AccessRequest(AccessPhase.Requested, session), CancellationToken.None).Result.IsAllowed ? 1 : 0;
        allowed += policy.EvaluateAsync(new AccessRequest(AccessPhase.Resolved, session, destination), CancellationToken.None).Result.IsAllowed ? 1 : 0;
        _ = policy.MayAllowAnonymous(session.Client);
        return allowed;
    }
}
