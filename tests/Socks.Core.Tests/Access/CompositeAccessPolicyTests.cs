using Socks.Core.Access;
using Socks.Core.Protocol;
using Socks.Core.Tests.Connectors.Direct;

namespace Socks.Core.Tests.Access;

public sealed class CompositeAccessPolicyTests
{
    private static readonly AccessRequest Request = new(AccessPhase.Requested, TestSessions.With(null));

    [Test]
    public async Task EvaluateAsync_AllAllow_Allows()
    {
        var first = new CountingPolicy(AccessDecision.Allow);
        var second = new CountingPolicy(AccessDecision.Allow);

        var decision = await new CompositeAccessPolicy(first, second).EvaluateAsync(Request, CancellationToken.None);

        decision.Should().Be(AccessDecision.Allow);
        (first.Calls, second.Calls).Should().Be((1, 1));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task EvaluateAsync_FirstDenialWins_LaterPoliciesAreNotAsked(bool asynchronous)
    {
        var allow = new CountingPolicy(AccessDecision.Allow, asynchronous);
        var deny = new CountingPolicy(AccessDecision.Deny(ReplyCode.HostUnreachable), asynchronous);
        var other = new CountingPolicy(AccessDecision.DenyByRuleset, asynchronous);

        var decision = await new CompositeAccessPolicy(allow, deny, other).EvaluateAsync(Request, CancellationToken.None);

        decision.Should().Be(AccessDecision.Deny(ReplyCode.HostUnreachable));
        (allow.Calls, deny.Calls, other.Calls).Should().Be((1, 1, 0));
    }

    [Test]
    public void EvaluateAsync_SynchronousPolicies_CompleteSynchronously()
    {
        var pending = new CompositeAccessPolicy(new CountingPolicy(AccessDecision.Allow), new CountingPolicy(AccessDecision.Allow))
            .EvaluateAsync(Request, CancellationToken.None);

        pending.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Test]
    public void Constructor_NoPolicyOrANullOne_Throws()
    {
        FluentActions.Invoking(() => new CompositeAccessPolicy()).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new CompositeAccessPolicy(new CountingPolicy(AccessDecision.Allow), null!)).Should().Throw<ArgumentException>();
    }

    [Test]
    public void Deny_Succeeded_Throws() =>
        FluentActions.Invoking(() => AccessDecision.Deny(ReplyCode.Succeeded)).Should().Throw<ArgumentOutOfRangeException>();

    private sealed class CountingPolicy(AccessDecision decision, bool asynchronous = false) : IAccessPolicy
    {
        public int Calls { get; private set; }

        public async ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken)
        {
            Calls++;
            if (asynchronous)
            {
                await Task.Yield();
            }

            return decision;
        }
    }
}
