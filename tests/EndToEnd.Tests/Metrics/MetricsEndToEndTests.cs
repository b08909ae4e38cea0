using System.Net;
using System.Net.Sockets;
using EndToEnd.Tests.Support;
using Mcp.Protocol;

namespace EndToEnd.Tests.Metrics;

/// <summary>GET_METRICS of the real socks5d after real SOCKS sessions: each of the six counters moves as design.md defines it.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class MetricsEndToEndTests
{
    [Test]
    public async Task GetMetrics_AfterSucceededAuthFailedAndRefusedSessions_EachCounterMovesAsDefined()
    {
        await using var echo = new EchoServer();
        using var closedPort = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closedPort.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // bound, never listening: a connect to it is refused
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "user:pass");
        await using var mcp = await proxy.ConnectMcpAsync();
        (await mcp.GetMetricsAsync().WaitAsync(TestTimeouts.Generous)).Should().Be(new McpMetrics(0, 0, 0, 0, 0, 0));

        // 1. A successful session relaying a payload both ways.
        var payload = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        using var succeeded = await SocksTestClient.ConnectAsync(proxy.Socks);
        (await succeeded.AuthenticateAsync("user", "pass")).Should().Be(0x00);
        (await succeeded.ConnectAsync(echo.EndPoint.Address, echo.EndPoint.Port)).Should().Be(0x00);
        await succeeded.SendAsync(payload);
        (await succeeded.ReceiveAsync(payload.Length)).Should().Equal(payload);
        var open = await mcp.GetMetricsAsync().WaitAsync(TestTimeouts.Generous);
        (open.HistoricalConnections, open.ConcurrentConnections, open.SuccessfulConnections, open.FailedConnections)
            .Should().Be((1UL, 1UL, 1UL, 0UL), "the session is open and got REP 00");
        succeeded.Socket.Shutdown(SocketShutdown.Send);
        (await succeeded.ReceiveUntilClosedAsync()).Should().Be(0);
        var client1 = (ulong)(succeeded.Sent + succeeded.Received);
        var afterSuccess = await WaitForAsync(mcp, m => m.HistoricalConnections == 1 && m.ConcurrentConnections == 0);
        afterSuccess.Should().Be(new McpMetrics(
            HistoricalConnections: 1,
            ConcurrentConnections: 0,
            BytesTransferred: client1 + (2 * (ulong)payload.Length),
            SuccessfulConnections: 1,
            FailedConnections: 0,
            ClientBytes: client1));

        // 2. A session that fails authentication: only client bytes (the handshake) on both counters.
        using var badPassword = await SocksTestClient.ConnectAsync(proxy.Socks);
        (await badPassword.AuthenticateAsync("user", "wrong")).Should().Be(0x01);
        (await badPassword.ReceiveUntilClosedAsync()).Should().Be(0);
        var client2 = (ulong)(badPassword.Sent + badPassword.Received);
        var afterAuthFailure = await WaitForAsync(mcp, m => m.HistoricalConnections == 2 && m.ConcurrentConnections == 0);
        afterAuthFailure.Should().Be(new McpMetrics(2, 0, afterSuccess.BytesTransferred + client2, 1, 1, client1 + client2));

        // 3. A session whose CONNECT is refused (REP 05).
        using var refused = await SocksTestClient.ConnectAsync(proxy.Socks);
        (await refused.AuthenticateAsync("user", "pass")).Should().Be(0x00);
        (await refused.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)closedPort.LocalEndPoint!).Port)).Should().Be(0x05);
        (await refused.ReceiveUntilClosedAsync()).Should().Be(0);
        var client3 = (ulong)(refused.Sent + refused.Received);
        var afterRefused = await WaitForAsync(mcp, m => m.HistoricalConnections == 3 && m.ConcurrentConnections == 0);
        afterRefused.Should().Be(new McpMetrics(3, 0, afterAuthFailure.BytesTransferred + client3, 1, 2, client1 + client2 + client3));
    }

    /// <summary>Asks again until <paramref name="done"/> holds: a session's counters are final once it has ended, a moment after the client saw EOF.</summary>
    private static async Task<McpMetrics> WaitForAsync(McpClient mcp, Func<McpMetrics, bool> done)
    {
        using var limit = new CancellationTokenSource(TestTimeouts.Generous);
        while (true)
        {
            var metrics = await mcp.GetMetricsAsync(limit.Token);
            if (done(metrics))
            {
                return metrics;
            }

            await Task.Yield();
        }
    }
}
