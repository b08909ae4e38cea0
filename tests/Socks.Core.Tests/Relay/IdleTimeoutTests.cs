using System.Net;
using System.Net.Sockets;
using Socks.Core.AccessLog;
using Socks.Core.Tests.Server.Infrastructure;
using Socks.Shared;

namespace Socks.Core.Tests.Relay;

/// <summary>
/// The idle timeout of a relayed session against real sockets: a session is idle only when no byte moved on
/// either leg, including bytes the kernel hands to a slow reader while our write to it waits; an idle session is
/// closed with FIN, not RST (a leg whose peer sent bytes that were never relayed gets RST after its FIN).
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class IdleTimeoutTests
{
    [Test]
    public async Task SlowReader_ManualClock_TakesLessThanAChunkPerTimeout_IsNeverCut()
    {
        // The target sends far more than fits anywhere; the proxy reads it in chunks of up to 1 MiB (the target leg
        // has a large receive buffer, so reads are large) and writes each chunk, through a 64 KiB send buffer, to a
        // client that takes 16 KiB per eighth of the timeout: a chunk write completes only every eight timeouts, so
        // the user-space activity alone would call the session idle. The kernel's counters see every window the
        // reader opens.
        var clock = new ManualTimeProvider();
        var timeout = TimeSpan.FromSeconds(80);
        var wakeUp = timeout / ActivityTimer.ProbesPerTimeout;
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            IdleTimeout = timeout,
            TimeProvider = clock,
            RelayBufferSize = SocksServerOptions.MaxRelayBufferSize,
            Connector = new WideReceiveConnector(),
            Acceptor = NarrowSendAcceptAsync,
        });

        // SO_RCVBUF 4 KiB: the kernel makes it 8 KiB, so at any moment at most 8 KiB were sent and not yet read.
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, receiveBufferSize: 4096);
        using var source = await target.AcceptAsync();
        var flood = source.SendAsync(new byte[64 << 20].AsMemory(), SocketFlags.None).AsTask();

        const int perWakeUp = 16 * 1024;
        var wakeUps = ActivityTimer.ProbesPerTimeout * 6;
        for (var i = 0; i < wakeUps; i++)
        {
            clock.Advance(wakeUp);

            // Reading twice what the client's buffer holds means the proxy's kernel sent bytes after this wake-up.
            var chunk = await client.ReceiveAsync(perWakeUp);
            chunk.Should().NotBeNull($"the session must not be cut: {i} wake-ups ({wakeUp * i}) of steady reading");
            chunk!.Length.Should().Be(perWakeUp);
        }

        harness.Server.GetMetrics().IdleTimeouts.Should().Be(0);
        harness.Server.GetMetrics().ConcurrentConnections.Should().Be(1);
        flood.IsCompleted.Should().BeFalse("the client read {0} bytes of 64 MiB", client.Received);
    }

    [Test]
    public async Task StoppedReader_IsCutWithFinToTheClient_AndCountedAsIdle()
    {
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            IdleTimeout = TimeSpan.FromMilliseconds(300),
        });
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, receiveBufferSize: 4096);
        using var source = await target.AcceptAsync();

        // The client reads nothing: the proxy's write to it blocks, then its read of the target stops, and the
        // target's own send blocks. Nothing moves any more; the session is idle.
        var flood = source.SendAsync(new byte[64 << 20].AsMemory(), SocketFlags.None).AsTask();
        var targetEnd = source.ReceiveAsync(new byte[16].AsMemory(), SocketFlags.None).AsTask();

        (await targetEnd.WaitAsync(TestTimeouts.Generous)).Should().Be(0, "the target gets a FIN first (a RST alone would throw)");
        var delivered = await ReadToFinAsync(client.Socket);
        delivered.Should().BeGreaterThan(0, "what the kernel already held for the client still reaches it before the FIN");

        await harness.AccessLog.WaitForCountAsync(1).WaitAsync(TestTimeouts.Generous);
        var record = harness.AccessLog.Records.Single();
        record.EndReason.Should().Be(AccessLogEndReason.IdleTimeout);
        record.BytesTargetToClient.Should().Be(delivered, "the count is what the kernel accepted for the client, all of which it delivered");
        var metrics = harness.Server.GetMetrics();
        metrics.IdleTimeouts.Should().Be(1);
        metrics.SuccessfulConnections.Should().Be(1);

        // The target's bytes that were never relayed are dropped at the close, and the kernel says so with RST:
        // its send fails at once instead of waiting on a closed window.
        var failed = await flood.Awaiting(static f => f).Should().ThrowAsync<SocketException>();
        failed.Which.SocketErrorCode.Should().BeOneOf([SocketError.Shutdown, SocketError.ConnectionReset], "the proxy's RST came after its FIN (EPIPE), or alone");
    }

    /// <summary>Accepts a client with a fixed 64 KiB send buffer (the kernel doubles it), not one that grows to megabytes.</summary>
    private static async ValueTask<Socket> NarrowSendAcceptAsync(Socket listener, CancellationToken cancellationToken)
    {
        var client = await listener.AcceptAsync(cancellationToken);
        client.SendBufferSize = 64 * 1024;
        return client;
    }

    /// <summary>Reads until EOF; a reset fails the test.</summary>
    private static async Task<long> ReadToFinAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
            if (n == 0)
            {
                return total;
            }

            total += n;
        }
    }

    /// <summary>Dials the requested address with a large receive buffer, so the relay reads the target in large chunks.</summary>
    private sealed class WideReceiveConnector : IConnector
    {
        public async ValueTask<ConnectResult> ConnectAsync(SessionContext session, CancellationToken cancellationToken)
        {
            var destination = new IPEndPoint(session.Request!.Address!, session.Request.Port);
            var socket = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4 << 20 };
            await socket.ConnectAsync(destination, cancellationToken);
            return ConnectResult.Connected(socket, destination);
        }
    }
}
