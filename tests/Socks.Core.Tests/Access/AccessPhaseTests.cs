using System.Net;
using System.Text;
using Socks.Core.AccessLog;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Access;

/// <summary>The access policy at each phase of a real session on loopback: what the client gets, and what the policy saw.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class AccessPhaseTests
{
    [Test]
    public async Task Accepted_Denied_ClosesBeforeTheGreetingIsAnswered()
    {
        var policy = new PhasePolicy(AccessPhase.Accepted, ReplyCode.ConnectionNotAllowed);
        await using var harness = StartWithUser(policy);
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.SendAsync(0x05, 0x01, 0x02);

        await client.ShouldBeClosedAsync();
        var record = await harness.AccessLog.SingleAsync();
        record.Reply.Should().BeNull();
        record.Username.Should().BeNull();
        record.EndReason.Should().Be(AccessLogEndReason.Denied);
        policy.Seen.Should().Equal(AccessPhase.Accepted);
        policy.Clients.Should().ContainSingle().Which.Should().Be(record.Client);
        harness.Server.GetMetrics().FailedConnections.Should().Be(1);
    }

    [Test]
    public async Task Authenticated_Denied_AnswersAuthenticationThenClosesWithoutReadingTheRequest()
    {
        await using var target = TestTarget.Echo();
        var policy = new PhasePolicy(AccessPhase.Authenticated, ReplyCode.ConnectionNotAllowed);
        await using var harness = StartWithUser(policy);
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        await client.SendAsync(SocksTestClient.ConnectRequest(target.EndPoint));

        await client.ShouldBeClosedAsync();
        var record = await harness.AccessLog.SingleAsync();
        record.Reply.Should().BeNull("RFC 1928 has no reply before the request");
        record.Username.Should().Equal(Encoding.ASCII.GetBytes("user"));
        record.RequestedHost.Should().BeNull();
        record.EndReason.Should().Be(AccessLogEndReason.Denied);
        policy.Seen.Should().Equal(AccessPhase.Accepted, AccessPhase.Authenticated);
        policy.Users.Should().Equal(string.Empty, "user");
        policy.Methods.Should().Equal(AuthMethod.NoAcceptableMethods, AuthMethod.UsernamePassword);
        target.Peers.Should().BeEmpty();
    }

    [Test]
    public async Task Requested_Denied_RepliesWithTheDecisionsCodeAndNeverResolves()
    {
        await using var target = TestTarget.Echo();
        var policy = new PhasePolicy(AccessPhase.Requested, ReplyCode.NetworkUnreachable);
        await using var harness = StartWithUser(policy);
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        var reply = await client.RequestConnectAsync("denied.example", target.EndPoint.Port);

        reply.Code.Should().Be(ReplyCode.NetworkUnreachable);
        await client.ShouldBeClosedAsync();
        var record = await harness.AccessLog.SingleAsync();
        record.Reply.Should().Be(ReplyCode.NetworkUnreachable);
        record.EndReason.Should().Be(AccessLogEndReason.Denied, "whatever code the policy answers with");
        record.Command.Should().Be(SocksCommand.Connect);
        record.RequestedHost.Should().Equal(Encoding.ASCII.GetBytes("denied.example"));
        policy.Seen.Should().Equal(AccessPhase.Accepted, AccessPhase.Authenticated, AccessPhase.Requested);
        policy.Ports.Should().Equal((ushort)target.EndPoint.Port);
        policy.Commands.Should().Equal((byte)SocksCommand.Connect);
        target.Peers.Should().BeEmpty();
    }

    [Test]
    public async Task Resolved_Denied_RepliesWithTheDecisionsCodeAndNeverDials()
    {
        await using var target = TestTarget.Echo();
        var policy = new PhasePolicy(AccessPhase.Resolved, ReplyCode.ConnectionNotAllowed);
        await using var harness = StartWithUser(policy);
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        var reply = await client.RequestConnectAsync(target.EndPoint);

        reply.Code.Should().Be(ReplyCode.ConnectionNotAllowed);
        await client.ShouldBeClosedAsync();
        var record = await harness.AccessLog.SingleAsync();
        record.Reply.Should().Be(ReplyCode.ConnectionNotAllowed);
        record.EndReason.Should().Be(AccessLogEndReason.Denied, "a refused destination is a denial, not a failed dial");
        policy.Seen.Should().Equal(AccessPhase.Accepted, AccessPhase.Authenticated, AccessPhase.Requested, AccessPhase.Resolved);
        policy.Destinations.Should().Equal(target.EndPoint);
        target.Peers.Should().BeEmpty();
    }

    [Test]
    public async Task AllPhasesAllowed_AsynchronousPolicy_Relays()
    {
        await using var target = TestTarget.Echo();
        var policy = new PhasePolicy(deniedAt: null, ReplyCode.ConnectionNotAllowed, yieldFirst: true);
        await using var harness = StartWithUser(policy);

        using (var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint))
        {
            await client.SendAsync("ping");
            Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(4)).Should().Be("ping");
        }

        (await harness.AccessLog.SingleAsync()).Reply.Should().Be(ReplyCode.Succeeded);
        policy.Seen.Should().Equal(AccessPhase.Accepted, AccessPhase.Authenticated, AccessPhase.Requested, AccessPhase.Resolved);
    }

    private static ServerHarness StartWithUser(IAccessPolicy policy) => ServerHarness.Start(log => new SocksServerOptions
    {
        Users = TestUsers.Create(("user", "pass")),
        AccessLog = log,
        AccessPolicy = policy,
    });

    /// <summary>Denies at one phase, allows the others, and remembers what each call saw.</summary>
    private sealed class PhasePolicy(AccessPhase? deniedAt, ReplyCode reply, bool yieldFirst = false) : IAccessPolicy
    {
        private readonly Lock _lock = new();

        public List<AccessPhase> Seen { get; } = [];

        public List<IPEndPoint> Clients { get; } = [];

        public List<string> Users { get; } = [];

        public List<AuthMethod> Methods { get; } = [];

        public List<ushort> Ports { get; } = [];

        public List<byte> Commands { get; } = [];

        public List<IPEndPoint> Destinations { get; } = [];

        public async ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken)
        {
            if (yieldFirst)
            {
                await Task.Yield();
            }

            var session = request.Session;
            lock (_lock)
            {
                Seen.Add(request.Phase);
                switch (request.Phase)
                {
                    case AccessPhase.Accepted:
                        Clients.Add(session.Client);
                        Users.Add(Encoding.ASCII.GetString(session.Username.Span));
                        Methods.Add(session.Method);
                        break;
                    case AccessPhase.Authenticated:
                        Users.Add(Encoding.ASCII.GetString(session.Username.Span));
                        Methods.Add(session.Method);
                        break;
                    case AccessPhase.Requested:
                        Ports.Add(session.Request!.Port);
                        Commands.Add(session.Request.Command);
                        break;
                    case AccessPhase.Resolved:
                        Destinations.Add(request.Destination!);
                        break;
                }
            }

            return request.Phase == deniedAt ? AccessDecision.Deny(reply) : AccessDecision.Allow;
        }
    }
}
