using System.Net.Sockets;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Metrics;

/// <summary>GET_METRICS shows the bytes of sessions that are still relaying.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class LiveBytesTests
{
    // Anonymous handshake on the client leg: greeting 3 + method 2 + request 10 + reply 10.
    private const long HandshakeBytes = 25;

    [Test]
    public async Task GetMetrics_WhileSessionRelays_CountsItsBytes()
    {
        const int Up = 3000;
        const int Down = 5000;
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.StartAnonymous();
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, user: null);
        using var accepted = await target.AcceptAsync();

        await client.SendAsync(new byte[Up]);
        await ReceiveExactlyAsync(accepted, Up);
        await SendAsync(accepted, new byte[Down]);
        await client.ReceiveExactlyAsync(Down);

        // One byte more each way: a direction counts a chunk as written before it reads the next, so
        // once the byte arrived the chunks before it are counted on both legs. The byte itself is
        // counted as read, and maybe not yet as written.
        await client.SendAsync(1);
        await ReceiveExactlyAsync(accepted, 1);
        await SendAsync(accepted, [2]);
        await client.ReceiveExactlyAsync(1);
        var live = harness.Server.GetMetrics();

        live.ConcurrentConnections.Should().Be(1);
        harness.AccessLog.Records.Should().BeEmpty("the session is still relaying");
        live.ClientBytes.Should().BeInRange(HandshakeBytes + Up + Down + 1, HandshakeBytes + Up + Down + 2);
        live.BytesTransferred.Should().BeInRange(HandshakeBytes + (2 * (Up + Down)) + 2, HandshakeBytes + (2 * (Up + Down)) + 4);

        client.Socket.Shutdown(SocketShutdown.Send);
        accepted.Shutdown(SocketShutdown.Send);
        await client.ShouldBeClosedAsync();
        await harness.AccessLog.WaitForCountAsync(1).WaitAsync(TestTimeouts.Generous);
        var ended = harness.Server.GetMetrics();
        ended.ConcurrentConnections.Should().Be(0);
        ended.ClientBytes.Should().Be(HandshakeBytes + Up + Down + 2);
        ended.BytesTransferred.Should().Be(HandshakeBytes + (2 * (Up + Down + 2)));
    }

    private static async Task ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var received = 0;
        while (received < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None);
            n.Should().BePositive("the peer must not close before sending {0} bytes", count);
            received += n;
        }
    }

    private static async Task SendAsync(Socket socket, byte[] data)
    {
        var rest = data.AsMemory();
        while (!rest.IsEmpty)
        {
            rest = rest[await socket.SendAsync(rest, SocketFlags.None)..];
        }
    }
}
