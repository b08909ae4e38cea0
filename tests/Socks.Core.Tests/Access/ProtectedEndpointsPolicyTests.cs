using System.Net;
using System.Net.Sockets;
using Socks.Core.Access;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Access;

public class ProtectedEndpointsPolicyTests
{
    private static readonly IPAddress InterfaceAddress = IPAddress.Parse("192.0.2.10");

    private static ProtectedEndpointsPolicy Create(params string[] endpoints) =>
        new(endpoints.Select(IPEndPoint.Parse), timeProvider: null, localAddresses: () => [InterfaceAddress, IPAddress.Loopback, IPAddress.IPv6Loopback]);

    [TestCase("127.0.0.1:8080")]
    [TestCase("[::ffff:127.0.0.1]:8080")]
    [TestCase("[::1]:8080")]
    [TestCase("127.0.0.2:8080")]
    [TestCase("0.0.0.0:8080")]
    public void Check_LoopbackEndpoint_RefusesEveryLoopbackForm(string destination)
    {
        var policy = Create("127.0.0.1:8080");

        policy.Check(IPEndPoint.Parse(destination)).Should().Be(ReplyCode.ConnectionNotAllowed);
    }

    [TestCase("127.0.0.1:8081")]
    [TestCase("192.0.2.10:8080")]
    [TestCase("198.51.100.7:8080")]
    public void Check_LoopbackEndpoint_AllowsOtherPortsAndNonLocalAddresses(string destination)
    {
        var policy = Create("127.0.0.1:8080");

        policy.Check(IPEndPoint.Parse(destination)).Should().Be(ReplyCode.Succeeded);
    }

    [TestCase("0.0.0.0:8080", "192.0.2.10:8080")]
    [TestCase("[::]:8080", "192.0.2.10:8080")]
    [TestCase("[::]:8080", "[::ffff:192.0.2.10]:8080")]
    [TestCase("[::]:1080", "127.0.0.1:1080")]
    [TestCase("0.0.0.0:1080", "[::1]:1080")]
    public void Check_WildcardEndpoint_RefusesLocalInterfaceAddresses(string bound, string destination)
    {
        var policy = Create(bound);

        policy.Check(IPEndPoint.Parse(destination)).Should().Be(ReplyCode.ConnectionNotAllowed);
    }

    [Test]
    public void Check_WildcardEndpoint_AllowsRemoteAddressOnSamePort()
    {
        var policy = Create("0.0.0.0:8080");

        policy.Check(IPEndPoint.Parse("198.51.100.7:8080")).Should().Be(ReplyCode.Succeeded);
    }

    [Test]
    public void Check_SpecificInterfaceEndpoint_RefusesOnlyThatAddress()
    {
        var policy = Create("192.0.2.10:8080");

        policy.Check(IPEndPoint.Parse("192.0.2.10:8080")).Should().Be(ReplyCode.ConnectionNotAllowed);
        policy.Check(IPEndPoint.Parse("127.0.0.1:8080")).Should().Be(ReplyCode.Succeeded);
    }

    [Test]
    public async Task EvaluateAsync_InACompositeBeforeAnother_AllowedDestinationDefersToTheNextPolicy()
    {
        var next = new FixedPolicy(ReplyCode.HostUnreachable);
        var policy = new CompositeAccessPolicy(new ProtectedEndpointsPolicy([IPEndPoint.Parse("127.0.0.1:8080")]), next);

        (await EvaluateResolvedAsync(policy, "127.0.0.1:9999")).Should().Be(ReplyCode.HostUnreachable);
        next.Calls.Should().Be(1);
        (await EvaluateResolvedAsync(policy, "127.0.0.1:8080")).Should().Be(ReplyCode.ConnectionNotAllowed);
        next.Calls.Should().Be(1, "a refused destination never reaches the next policy");
    }

    [TestCase(AccessPhase.Accepted)]
    [TestCase(AccessPhase.Authenticated)]
    [TestCase(AccessPhase.Requested)]
    public async Task EvaluateAsync_PhasesBeforeResolution_AreAllowed(AccessPhase phase)
    {
        var policy = Create("127.0.0.1:8080");

        var decision = await policy.EvaluateAsync(new AccessRequest(phase, Connectors.Direct.TestSessions.With(null)), CancellationToken.None);

        decision.Should().Be(AccessDecision.Allow);
    }

    [Test]
    public async Task EvaluateAsync_ResolvedProtectedEndpoint_DeniesWithRuleset()
    {
        var policy = Create("127.0.0.1:8080");

        (await EvaluateResolvedAsync(policy, "127.0.0.1:8080")).Should().Be(ReplyCode.ConnectionNotAllowed);
        (await EvaluateResolvedAsync(policy, "127.0.0.1:8081")).Should().Be(ReplyCode.Succeeded);
    }

    private static async Task<ReplyCode> EvaluateResolvedAsync(IAccessPolicy policy, string destination)
    {
        var decision = await policy.EvaluateAsync(
            new AccessRequest(AccessPhase.Resolved, Connectors.Direct.TestSessions.With(null), IPEndPoint.Parse(destination)),
            CancellationToken.None);
        return decision.Reply;
    }

    [Test]
    public void Check_RealInterfaces_RefusesLoopbackWhenBoundToWildcard()
    {
        var policy = new ProtectedEndpointsPolicy([new IPEndPoint(IPAddress.IPv6Any, 8080)]);

        policy.Check(new IPEndPoint(IPAddress.Loopback, 8080)).Should().Be(ReplyCode.ConnectionNotAllowed);
        policy.Check(new IPEndPoint(IPAddress.Loopback, 8081)).Should().Be(ReplyCode.Succeeded);
    }

    [Test]
    public void Check_EndpointFunction_IsReadAtEveryCheck()
    {
        var endpoints = new List<IPEndPoint>();
        var policy = new ProtectedEndpointsPolicy(() => endpoints, timeProvider: null, localAddresses: () => [InterfaceAddress]);
        var destination = IPEndPoint.Parse("127.0.0.1:8080");

        policy.Check(destination).Should().Be(ReplyCode.Succeeded, "nothing is bound yet");
        endpoints.Add(IPEndPoint.Parse("127.0.0.1:8080"));
        policy.Check(destination).Should().Be(ReplyCode.ConnectionNotAllowed);
        endpoints[0] = IPEndPoint.Parse("127.0.0.1:9090");
        policy.Check(destination).Should().Be(ReplyCode.Succeeded, "the endpoint moved");
        policy.Check(IPEndPoint.Parse("[::1]:9090")).Should().Be(ReplyCode.ConnectionNotAllowed);
    }

    [Test]
    public void Check_ListenerBoundOnPortZeroAfterCreation_IsProtected()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var policy = new ProtectedEndpointsPolicy(() => listener.IsBound ? [(IPEndPoint)listener.LocalEndPoint!] : []);

        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        policy.Check(new IPEndPoint(IPAddress.Loopback, port)).Should().Be(ReplyCode.ConnectionNotAllowed);
        policy.Check(new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), port)).Should().Be(ReplyCode.ConnectionNotAllowed);
        policy.Check(new IPEndPoint(IPAddress.IPv6Loopback, port)).Should().Be(ReplyCode.ConnectionNotAllowed);
        policy.Check(new IPEndPoint(IPAddress.Any, port)).Should().Be(ReplyCode.ConnectionNotAllowed);
    }

    [TestCase("[::ffff:127.0.0.1]:8080", "127.0.0.1:8080")]
    [TestCase("[::ffff:127.0.0.1]:8080", "[::1]:8080")]
    [TestCase("[::1]:8080", "127.0.0.1:8080")]
    [TestCase("[::1]:8080", "[::]:8080")]
    [TestCase("[::ffff:0.0.0.0]:8080", "192.0.2.10:8080")]
    public void Check_EndpointInAnyAddressForm_IsNormalizedLikeTheDestination(string bound, string destination)
    {
        var policy = Create(bound);

        policy.Check(IPEndPoint.Parse(destination)).Should().Be(ReplyCode.ConnectionNotAllowed);
    }

    [Test]
    public void Check_SeveralEndpoints_ProtectsEach()
    {
        var policy = Create("127.0.0.1:8080", "[::]:1080");

        policy.Check(IPEndPoint.Parse("[::1]:8080")).Should().Be(ReplyCode.ConnectionNotAllowed);
        policy.Check(IPEndPoint.Parse("192.0.2.10:1080")).Should().Be(ReplyCode.ConnectionNotAllowed);
        policy.Check(IPEndPoint.Parse("192.0.2.10:8080")).Should().Be(ReplyCode.Succeeded, "the MCP endpoint is on loopback only");
        policy.Check(IPEndPoint.Parse("198.51.100.7:1080")).Should().Be(ReplyCode.Succeeded);
    }

    private sealed class FixedPolicy(ReplyCode code) : IAccessPolicy
    {
        public int Calls { get; private set; }

        public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(AccessDecision.Deny(code));
        }
    }
}
