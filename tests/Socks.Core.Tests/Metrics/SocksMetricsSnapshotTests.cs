using Socks.Core.Metrics;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Metrics;

public sealed class SocksMetricsSnapshotTests
{
    [Test]
    public void ToString_ListsEveryCounter_AndTheFailuresPerReplyCodeByName()
    {
        var snapshot = new SocksMetricsSnapshot(5, 1, 900, 2, 2, 400)
        {
            AuthenticationFailures = 1,
            NoAcceptableMethods = 0,
            HandshakeTimeouts = 0,
            RejectedAtLimit = 0,
            IdleTimeouts = 0,
            FailuresByReply = new Dictionary<ReplyCode, long> { [ReplyCode.HostUnreachable] = 1, [ReplyCode.ConnectionRefused] = 1 },
        };

        snapshot.ToString().Should().Be(
            "SocksMetricsSnapshot { HistoricalConnections = 5, ConcurrentConnections = 1, BytesTransferred = 900, SuccessfulConnections = 2, "
            + "FailedConnections = 2, ClientBytes = 400, NegotiatingConnections = 1, AuthenticationFailures = 1, NoAcceptableMethods = 0, "
            + "HandshakeTimeouts = 0, RejectedAtLimit = 0, IdleTimeouts = 0, FailuresByReply = { HostUnreachable = 1, ConnectionRefused = 1 } }");
    }

    [Test]
    public void ToString_OfDefault_HasNoFailures()
    {
        default(SocksMetricsSnapshot).ToString().Should().EndWith("IdleTimeouts = 0, FailuresByReply = { } }");
    }
}
