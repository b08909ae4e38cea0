using System.Net;
using System.Net.Sockets;
using Socks.Core.Metrics;
using Socks.Core.Relay;

namespace Socks.Core.Tests.Relay;

/// <summary>
/// What the relay counts and what the idle timer's probe reads, against real loopback sockets: a write counts the
/// bytes the kernel accepted, a failed one included; the kernel's counters move exactly when data moves.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class CountedBytesTests
{
    [Test]
    public async Task Copier_WriteFailsPartWayThroughAChunk_CountsExactlyWhatTheKernelAccepted()
    {
        // 1 MiB chunks through a 64 KiB send buffer to a reader with a small buffer: the copier is caught in the
        // middle of a chunk. Shutting the destination down freezes what the kernel accepted and fails the write;
        // the peer then reads all of it, and the FIN after it.
        using var source = await LoopbackPair.OpenAsync(acceptedReceiveBuffer: 4 << 20);
        using var destination = await LoopbackPair.OpenAsync(acceptedSendBuffer: 64 * 1024, connectingReceiveBuffer: 16 * 1024);
        var traffic = new SessionTraffic();
        using var copier = new SocketCopier(source.Accepted, destination.Accepted, fromClient: false, 1024 * 1024, traffic, hooks: null);
        var copying = copier.RunAsync();
        var flood = source.Connecting.SendAsync(new byte[32 << 20].AsMemory(), SocketFlags.None).AsTask();

        var peer = destination.Connecting;
        var buffer = new byte[64 * 1024];
        long delivered = 0;
        while (delivered < 256 * 1024)
        {
            delivered += await peer.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
        }

        destination.Accepted.Shutdown(SocketShutdown.Send);
        var outcome = await copying.WaitAsync(TestTimeouts.Generous);
        for (var n = 1; n > 0; delivered += n)
        {
            n = await peer.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
        }

        outcome.Result.Should().Be(CopyResult.WriteFailed);
        traffic.ClientSent.Should().Be(delivered, "every byte the kernel accepted reached the peer before the FIN, and no other");
        traffic.TargetReceived.Should().BeGreaterThan(delivered, "the chunk in flight was read whole and sent in part");
        flood.IsCompleted.Should().BeFalse();
    }

    [Test]
    public async Task TcpProgress_MovesWhenDataIsSentOrReceived_AndOnlyThen()
    {
        using var client = await LoopbackPair.OpenAsync();
        using var target = await LoopbackPair.OpenAsync();
        var progress = new TcpProgress(client.Accepted, target.Accepted);

        progress.Moved().Should().BeTrue("the first look has nothing to compare with");
        progress.Moved().Should().BeFalse("nothing moved");

        var sentBefore = TcpProgress.Read(target.Accepted);
        await target.Accepted.SendAsync(new byte[1000].AsMemory(), SocketFlags.None);
        TcpProgress.Read(target.Accepted).Should().Be(sentBefore + 1000, "the kernel sent the 1000 bytes on a write with room");
        progress.Moved().Should().BeTrue("bytes were sent on the target leg");
        progress.Moved().Should().BeFalse();

        await client.Connecting.SendAsync(new byte[10].AsMemory(), SocketFlags.None);
        var received = new byte[10];
        (await client.Accepted.ReceiveAsync(received.AsMemory(), SocketFlags.None)).Should().BeGreaterThan(0);
        progress.Moved().Should().BeTrue("bytes arrived on the client leg");
    }

    [Test]
    public void TcpProgress_SocketNotTcpOrClosed_ReadsZero()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        TcpProgress.Read(udp).Should().Be(0);
        var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Dispose();
        TcpProgress.Read(closed).Should().Be(0);
    }

    /// <summary>A connected loopback TCP pair with chosen buffer sizes (set before the connection, so they hold).</summary>
    private sealed class LoopbackPair : IDisposable
    {
        private LoopbackPair(Socket connecting, Socket accepted)
        {
            Connecting = connecting;
            Accepted = accepted;
        }

        public Socket Connecting { get; }

        public Socket Accepted { get; }

        public static async Task<LoopbackPair> OpenAsync(int? acceptedReceiveBuffer = null, int? acceptedSendBuffer = null, int? connectingReceiveBuffer = null)
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            if (acceptedReceiveBuffer is { } receive)
            {
                listener.ReceiveBufferSize = receive;
            }

            if (acceptedSendBuffer is { } send)
            {
                listener.SendBufferSize = send;
            }

            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            var connecting = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            if (connectingReceiveBuffer is { } peerReceive)
            {
                connecting.ReceiveBufferSize = peerReceive;
            }

            await connecting.ConnectAsync(listener.LocalEndPoint!).WaitAsync(TestTimeouts.Generous);
            var accepted = await listener.AcceptAsync().WaitAsync(TestTimeouts.Generous);
            return new LoopbackPair(connecting, accepted);
        }

        public void Dispose()
        {
            Connecting.Dispose();
            Accepted.Dispose();
        }
    }
}
