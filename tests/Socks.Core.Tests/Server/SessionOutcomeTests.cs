using Socks.Core.AccessLog;
using Socks.Core.Protocol;
using Socks.Core.Server;

namespace Socks.Core.Tests.Server;

/// <summary>The mapping from the engine's end reasons to the access log's closed set (docs/access-log.md "End reasons").</summary>
internal sealed class SessionOutcomeTests
{
    private static IEnumerable<TestCaseData> Mapping()
    {
        yield return Map(new(SessionEndReason.Completed), AccessLogEndReason.Ok);
        yield return Map(new(SessionEndReason.AuthenticationFailed), AccessLogEndReason.AuthFailed);
        yield return Map(new(SessionEndReason.NoAcceptableMethod), AccessLogEndReason.NoAcceptableMethod);
        yield return Map(new(SessionEndReason.ProtocolViolation) { Step = HandshakeStep.Greeting, ParseError = SocksParseError.BadVersion }, AccessLogEndReason.BadVersion);
        yield return Map(new(SessionEndReason.ProtocolViolation) { Step = HandshakeStep.Authentication, ParseError = SocksParseError.BadSubnegotiationVersion }, AccessLogEndReason.BadRequest);
        yield return Map(new(SessionEndReason.ProtocolViolation) { Step = HandshakeStep.Request, ParseError = SocksParseError.BadVersion }, AccessLogEndReason.BadRequest);
        yield return Map(new(SessionEndReason.ProtocolViolation) { Step = HandshakeStep.Request, ParseError = SocksParseError.UnsupportedAddressType }, AccessLogEndReason.BadRequest);
        yield return Map(new(SessionEndReason.ProtocolViolation) { Step = HandshakeStep.Request, ParseError = SocksParseError.BadLength }, AccessLogEndReason.BadRequest);
        yield return Map(new(SessionEndReason.CommandNotSupported), AccessLogEndReason.CommandNotSupported);
        yield return Map(new(SessionEndReason.HandshakeTimeout), AccessLogEndReason.HandshakeTimeout);
        yield return Map(new(SessionEndReason.Denied) { DeniedAt = AccessPhase.Accepted }, AccessLogEndReason.Denied);
        yield return Map(new(SessionEndReason.Denied) { DeniedAt = AccessPhase.Resolved }, AccessLogEndReason.Denied);
        yield return Map(new(SessionEndReason.ConnectFailed), AccessLogEndReason.DialFailed);
        yield return Map(new(SessionEndReason.ConnectFailedLocally), AccessLogEndReason.DialFailed);
        yield return Map(new(SessionEndReason.ClientClosedInHandshake) { Step = HandshakeStep.Request }, AccessLogEndReason.ClientClosed);
        yield return Map(new(SessionEndReason.ClientFailed), AccessLogEndReason.ClientReset);
        yield return Map(new(SessionEndReason.TargetFailed), AccessLogEndReason.TargetReset);
        yield return Map(new(SessionEndReason.IdleTimeout), AccessLogEndReason.IdleTimeout);
        yield return Map(new(SessionEndReason.Revoked), AccessLogEndReason.Revoked);
        yield return Map(new(SessionEndReason.Shutdown), AccessLogEndReason.Shutdown);
        yield return Map(new(SessionEndReason.Aborted), AccessLogEndReason.Aborted);
        yield return Map(new(SessionEndReason.InternalError), AccessLogEndReason.InternalError);
        yield return Map(new(SessionEndReason.BindTimeout), AccessLogEndReason.BindTimeout);
        yield return Map(new(SessionEndReason.BindPeerMismatch), AccessLogEndReason.Denied);
        yield return Map(new(SessionEndReason.ClientClosedWhileBinding), AccessLogEndReason.ClientClosed);
        yield return Map(new(SessionEndReason.Resolved), AccessLogEndReason.Ok);
        yield return Map(new(SessionEndReason.ResolveFailed), AccessLogEndReason.ResolveFailed);
        yield return Map(new(SessionEndReason.AssociationLimit), AccessLogEndReason.ConnectionLimit);
        yield return Map(new(SessionEndReason.UserLimit), AccessLogEndReason.UserLimit);
        yield return Map(new(SessionEndReason.QuotaExceeded), AccessLogEndReason.Quota);
        yield return Map(new(SessionEndReason.QuotaCut), AccessLogEndReason.Quota);
    }

    [TestCaseSource(nameof(Mapping))]
    public void ToAccessLogReason_MapsEachEngineReason(SessionOutcome outcome, AccessLogEndReason expected)
    {
        outcome.ToAccessLogReason().Should().Be(expected);
    }

    [Test]
    public void ToAccessLogReason_EveryEngineReasonIsMapped()
    {
        var covered = Mapping().Select(c => ((SessionOutcome)c.Arguments[0]!).Reason).Distinct().Order();

        covered.Should().Equal(Enum.GetValues<SessionEndReason>().Order(), "a new SessionEndReason needs its access-log reason");
    }

    [Test]
    public void ToAccessLogReason_EveryAccessLogReasonComesFromASession()
    {
        // connection-limit also comes from the accept loop (a client closed at the limit never became a session), and
        // from a UDP ASSOCIATE that found no second place.
        var produced = Mapping().Select(c => (AccessLogEndReason)c.Arguments[1]!).Distinct().Order();

        produced.Should().Equal(Enum.GetValues<AccessLogEndReason>().Order());
    }

    private static TestCaseData Map(SessionOutcome outcome, AccessLogEndReason expected) =>
        new TestCaseData(outcome, expected).SetArgDisplayNames($"{outcome.Reason}/{outcome.Step}/{outcome.ParseError}", expected.ToString());
}
