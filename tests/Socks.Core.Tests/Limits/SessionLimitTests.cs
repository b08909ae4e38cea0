using System.Net.Sockets;
using System.Text;
using Socks.Core.AccessLog;
using Socks.Core.Limits;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Limits;

/// <summary>The per-user session limit: N sessions open, the next handshake is refused with REP 02 and reason user-limit.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class SessionLimitTests
{
    [Test]
    public async Task Handshake_BeyondSessionLimit_GetsRep02UntilOneCloses()
    {
        const int Limit = 3;
        var users = TestUsers.Create(("limited", "pw"), ("free", "pw"));
        users.SetLimits("limited", new UserLimits(Limit, 0, 0, 0, QuotaPeriod.None)).Should().Be(Socks.Core.Users.UserChangeResult.Ok);
        await using var echo = new EchoServer();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = users, AccessLog = log });

        var open = new List<SocksTestClient>();
        for (var i = 0; i < Limit; i++)
        {
            open.Add(await SocksTestClient.OpenTunnelAsync(harness.EndPoint, echo.EndPoint, "limited", "pw"));
        }

        // The N+1st authenticates (its password is right) and is refused at its request.
        using (var refused = await SocksTestClient.ConnectAsync(harness.EndPoint))
        {
            await refused.NegotiateAsync("limited", "pw");
            (await refused.RequestConnectAsync(echo.EndPoint)).Code.Should().Be(ReplyCode.ConnectionNotAllowed);
            await refused.ShouldBeClosedAsync();
        }

        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.UserLimit);
        record.Reply.Should().Be(ReplyCode.ConnectionNotAllowed);
        Encoding.UTF8.GetString(record.Username!).Should().Be("limited");

        // Another user is not affected.
        using (var other = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, echo.EndPoint, "free", "pw"))
        {
            other.Socket.Shutdown(SocketShutdown.Send);
            await other.ShouldBeClosedAsync();
        }

        // Closing one frees its place: the next succeeds, and is relayed.
        open[0].Socket.Shutdown(SocketShutdown.Send);
        await open[0].ShouldBeClosedAsync();
        open[0].Dispose();
        await harness.AccessLog.WaitForCountAsync(3).WaitAsync(TestTimeouts.Generous);
        using var next = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, echo.EndPoint, "limited", "pw");
        await next.SendAsync("ping");
        Encoding.ASCII.GetString(await next.ReceiveExactlyAsync(4)).Should().Be("ping");

        var stats = harness.Server.GetUserStatistics().Single(s => Encoding.UTF8.GetString(s.Username) == "limited");
        stats.ActiveSessions.Should().Be(Limit);
        stats.Sessions.Should().Be(Limit + 2);
        stats.Denials.Should().Be(1);

        foreach (var client in open.Skip(1))
        {
            client.Dispose();
        }
    }

    [Test]
    public async Task Handshake_LimitRaisedAtRunTime_AppliesToTheNextHandshake()
    {
        var users = TestUsers.Create(("raised", "pw"));
        users.SetLimits("raised", new UserLimits(1, 0, 0, 0, QuotaPeriod.None));
        await using var echo = new EchoServer();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = users, AccessLog = log });
        using var first = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, echo.EndPoint, "raised", "pw");
        using (var refused = await SocksTestClient.ConnectAsync(harness.EndPoint))
        {
            await refused.NegotiateAsync("raised", "pw");
            (await refused.RequestConnectAsync(echo.EndPoint)).Code.Should().Be(ReplyCode.ConnectionNotAllowed);
        }

        users.SetLimits("raised", new UserLimits(2, 0, 0, 0, QuotaPeriod.None));

        using var second = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, echo.EndPoint, "raised", "pw");
        await second.SendAsync("x");
        (await second.ReceiveExactlyAsync(1)).Should().Equal((byte)'x');
    }
}
