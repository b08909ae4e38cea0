using System.Net.Sockets;
using System.Text;
using Socks.Core.AccessLog;
using Socks.Core.Limits;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Limits;

/// <summary>The per-user traffic quota: a running session is cut when it runs out, and new sessions get REP 02 (reason quota).</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class QuotaTests
{
    private const long Quota = 300_000;

    [TestCase(false, TestName = "Quota_RunsOutWhileRelaying_CutsTheSessionAndRefusesTheNext(user relay)")]
    [TestCase(true, TestName = "Quota_RunsOutWhileRelaying_CutsTheSessionAndRefusesTheNext(kernel relay)")]
    public async Task Quota_RunsOutWhileRelaying_CutsTheSessionAndRefusesTheNext(bool kernelRelay)
    {
        var users = TestUsers.Create(("metered", "pw"), ("other", "pw"));
        users.SetLimits("metered", new UserLimits(0, 0, 0, Quota, QuotaPeriod.Day));
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = users, AccessLog = log, KernelRelay = kernelRelay });

        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, "metered", "pw");
        using var accepted = await target.AcceptAsync();

        // The target sends far more than the quota; the proxy must cut the session once the quota is used up.
        // 64 MiB is far more than the socket buffers between target, proxy and client can hold.
        const long Plenty = 64L << 20;
        var sender = SendUntilClosedAsync(accepted, Plenty);
        var received = await ReceiveUntilClosedAsync(client.Socket);
        var sent = await sender;

        sent.Should().BeLessThan(Plenty, "the session was closed before the target could send everything");
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.Quota);
        record.Reply.Should().Be(ReplyCode.Succeeded);
        (record.BytesClientToTarget + record.BytesTargetToClient).Should().BeGreaterThanOrEqualTo(Quota);
        received.Should().BeLessThanOrEqualTo(record.BytesTargetToClient);

        var stats = harness.Server.GetUserStatistics().Single(s => Encoding.UTF8.GetString(s.Username) == "metered");
        stats.QuotaUsed.Should().Be(record.BytesClientToTarget + record.BytesTargetToClient, "the quota counts the relayed bytes both ways");
        stats.ActiveSessions.Should().Be(0);

        // The next session of the user is refused at its request; another user is not affected.
        using (var refused = await SocksTestClient.ConnectAsync(harness.EndPoint))
        {
            await refused.NegotiateAsync("metered", "pw");
            (await refused.RequestConnectAsync(target.EndPoint)).Code.Should().Be(ReplyCode.ConnectionNotAllowed);
        }

        await harness.AccessLog.WaitForCountAsync(2).WaitAsync(TestTimeouts.Generous);
        harness.AccessLog.Records[1].EndReason.Should().Be(AccessLogEndReason.Quota);
        harness.AccessLog.Records[1].Reply.Should().Be(ReplyCode.ConnectionNotAllowed);
        harness.Server.GetUserStatistics().Single(s => Encoding.UTF8.GetString(s.Username) == "metered").Denials.Should().Be(1);
        using var other = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, "other", "pw");
        using var otherAccepted = await target.AcceptAsync();
        await other.SendAsync("still here");
        (await ReceiveExactlyAsync(otherAccepted, 10)).Should().Be("still here");
    }

    [Test]
    public async Task Quota_NewDay_StartsFromZero()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 4, 23, 59, 0, TimeSpan.Zero));
        var users = TestUsers.Create(("daily", "pw"));
        users.SetLimits("daily", new UserLimits(0, 0, 0, 10, QuotaPeriod.Day));
        await using var echo = new EchoServer();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = users, AccessLog = log, TimeProvider = time });
        using (var first = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, echo.EndPoint, "daily", "pw"))
        {
            await first.SendAsync(new byte[20]);
            await ReceiveUntilClosedAsync(first.Socket);
        }

        await harness.AccessLog.WaitForCountAsync(1).WaitAsync(TestTimeouts.Generous);
        harness.AccessLog.Records[0].EndReason.Should().Be(AccessLogEndReason.Quota);

        time.Advance(TimeSpan.FromMinutes(2));

        using var next = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, echo.EndPoint, "daily", "pw");
        harness.Server.GetUserStatistics().Single().QuotaUsed.Should().Be(0, "a new UTC day counts from zero");
    }

    private static async Task<long> SendUntilClosedAsync(Socket socket, long limit)
    {
        var chunk = new byte[16 * 1024];
        long sent = 0;
        try
        {
            while (sent < limit)
            {
                sent += await socket.SendAsync(chunk, SocketFlags.None);
            }
        }
        catch (SocketException)
        {
            // The proxy closed the target leg.
        }

        return sent;
    }

    private static async Task<long> ReceiveUntilClosedAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        long received = 0;
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                received += n;
            }
        }
        catch (SocketException)
        {
            // Closed with unread data: a reset.
        }

        return received;
    }

    private static async Task<string> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var done = 0;
        while (done < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(done), SocketFlags.None);
            n.Should().BePositive();
            done += n;
        }

        return Encoding.ASCII.GetString(buffer);
    }
}
