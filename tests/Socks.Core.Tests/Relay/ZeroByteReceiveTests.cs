using System.Net;
using System.Net.Sockets;

namespace Socks.Core.Tests.Relay;

/// <summary>The platform behaviour the relay's "no buffer while idle" rests on.</summary>
[CancelAfter(30_000)]
public sealed class ZeroByteReceiveTests
{
    [Test]
    public async Task ZeroByteReceive_NoDataYet_WaitsUntilDataArrivesAndConsumesNothing()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var server = await listener.AcceptAsync();

        var wait = server.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).AsTask();

        wait.IsCompleted.Should().BeFalse("nothing was sent yet, so the zero-byte read must pend");
        await client.SendAsync(new byte[] { 42 }, SocketFlags.None);
        (await wait.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(0);
        var buffer = new byte[4];
        (await server.ReceiveAsync(buffer.AsMemory(), SocketFlags.None)).Should().Be(1);
        buffer[0].Should().Be(42);
    }
}
