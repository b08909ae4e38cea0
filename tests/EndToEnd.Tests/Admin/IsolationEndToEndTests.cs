using System.Net.Sockets;
using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Admin;

/// <summary>The management plane and the SOCKS relay of the real socks5d cannot stall each other.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class IsolationEndToEndTests
{
    [Test]
    public async Task StalledAdminAndSocksClients_DoNotStallTheRelayOrTheManagementPlane()
    {
        await using var echo = new EchoServer();
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "user:pass", "--handshake-timeout", "5m");

        // Admin clients that stall: half a header and silence; a flood of requests whose answers are never read.
        using var halfFrame = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await halfFrame.ConnectAsync(proxy.Management).WaitAsync(TestTimeouts.Generous);
        await halfFrame.SendAsync(new byte[] { 0x01, 0x00 });
        var flooder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await flooder.ConnectAsync(proxy.Management).WaitAsync(TestTimeouts.Generous);
        var flood = new byte[4 * 1024 * 1024];
        for (var i = 0; i < flood.Length; i += 4)
        {
            flood[i] = 0x01; // GET_METRICS: 01 00 00 00
        }

        var flooding = FloodAsync(flooder, flood);

        // A SOCKS client stalled in its handshake (one byte of greeting).
        using var stalledSocks = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await stalledSocks.ConnectAsync(proxy.Socks).WaitAsync(TestTimeouts.Generous);
        await stalledSocks.SendAsync(new byte[] { 0x05 });

        using var tunnel = await SocksTestClient.TryOpenAsync(proxy.Socks, echo.EndPoint);
        tunnel.Should().NotBeNull();
        await tunnel!.SendAsync("relayed"u8.ToArray());
        (await tunnel.ReceiveAsync(7)).Should().Equal("relayed"u8.ToArray());

        (await proxy.McpctlAsync("add-user", "carol", "c4rol-pw")).ExitCode.Should().Be(0);
        await using var mcp = await proxy.ConnectMcpAsync();
        var metrics = await mcp.GetMetricsAsync().WaitAsync(TestTimeouts.Generous);
        metrics.ConcurrentConnections.Should().Be(2, "the stalled handshake and the relayed session are open");
        metrics.SuccessfulConnections.Should().Be(1);
        await tunnel.SendAsync("still relayed"u8.ToArray());
        (await tunnel.ReceiveAsync(13)).Should().Equal("still relayed"u8.ToArray());

        flooder.Dispose();
        await flooding;
    }

    private static async Task FloodAsync(Socket socket, byte[] data)
    {
        try
        {
            await socket.SendAsync(data);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // The test closed the socket while the server, rightly, no longer read from it.
        }
    }
}
