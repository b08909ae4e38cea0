using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Server;

[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class SocksServerRelayTests
{
    // Greeting 3 + method 2 + RFC 1929 request (3 + 4 + 4) 11 + status 2 + IPv4 request 10 + reply 10.
    private const long HandshakeBytesWithUser = 38;

    [Test]
    [CancelAfter(TestTimeouts.LongTestMilliseconds)]
    public async Task Relay_64MiBEachDirection_ChecksumsMatchAndBytesAreCounted()
    {
        const int ChunkSize = 64 * 1024;
        const int Chunks = 1024;
        const long Total = (long)ChunkSize * Chunks;
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        using var accepted = await target.AcceptAsync();

        var results = await Task.WhenAll(
            SendAsync(client.Socket, seed: 1),
            ReceiveAsync(client.Socket),
            SendAsync(accepted, seed: 2),
            ReceiveAsync(accepted));

        var (clientSent, clientReceived, targetSent, targetReceived) = (results[0], results[1], results[2], results[3]);
        targetReceived.Should().Equal(clientSent, "the target got exactly what the client sent");
        clientReceived.Should().Equal(targetSent, "the client got exactly what the target sent");

        await harness.AccessLog.WaitForCountAsync(1).WaitAsync(TestTimeouts.Generous);
        var record = harness.AccessLog.Records[0];
        record.BytesClientToTarget.Should().Be(Total);
        record.BytesTargetToClient.Should().Be(Total);
        var metrics = harness.Server.GetMetrics();
        metrics.ClientBytes.Should().Be(HandshakeBytesWithUser + (2 * Total));
        metrics.BytesTransferred.Should().Be(HandshakeBytesWithUser + (4 * Total));
        metrics.SuccessfulConnections.Should().Be(1);
        metrics.ConcurrentConnections.Should().Be(0);

        static async Task<byte[]> SendAsync(Socket socket, int seed)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var random = new Random(seed);
            var chunk = new byte[ChunkSize];
            for (var i = 0; i < Chunks; i++)
            {
                random.NextBytes(chunk);
                hash.AppendData(chunk);
                var data = chunk.AsMemory();
                while (!data.IsEmpty)
                {
                    data = data[await socket.SendAsync(data, SocketFlags.None)..];
                }
            }

            socket.Shutdown(SocketShutdown.Send);
            return hash.GetHashAndReset();
        }

        static async Task<byte[]> ReceiveAsync(Socket socket)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[ChunkSize];
            long total = 0;
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
                if (n == 0)
                {
                    total.Should().Be(Total);
                    return hash.GetHashAndReset();
                }

                total += n;
                hash.AppendData(buffer, 0, n);
            }
        }
    }

    [Test]
    public async Task HalfClose_ClientShutsDownSend_TargetSeesEofAndCanStillAnswer()
    {
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        using var accepted = await target.AcceptAsync();

        await client.SendAsync("request");
        client.Socket.Shutdown(SocketShutdown.Send);

        Encoding.ASCII.GetString(await ReadToEndAsync(accepted)).Should().Be("request");
        await accepted.SendAsync("late answer"u8.ToArray(), SocketFlags.None);
        accepted.Shutdown(SocketShutdown.Send);
        Encoding.ASCII.GetString(await client.ReadToEndAsync()).Should().Be("late answer");
        (await harness.AccessLog.SingleAsync()).BytesTargetToClient.Should().Be(11);
    }

    [Test]
    public async Task HalfClose_TargetShutsDownSend_ClientSeesEofAndCanStillSend()
    {
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        using var accepted = await target.AcceptAsync();

        await accepted.SendAsync("banner"u8.ToArray(), SocketFlags.None);
        accepted.Shutdown(SocketShutdown.Send);

        Encoding.ASCII.GetString(await client.ReadToEndAsync()).Should().Be("banner");
        await client.SendAsync("still talking");
        client.Socket.Shutdown(SocketShutdown.Send);
        Encoding.ASCII.GetString(await ReadToEndAsync(accepted)).Should().Be("still talking");
        var record = await harness.AccessLog.SingleAsync();
        record.BytesClientToTarget.Should().Be(13);
        record.BytesTargetToClient.Should().Be(6);
    }

    [Test]
    public async Task Relay_TargetResets_ClientConnectionIsClosed()
    {
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        var accepted = await target.AcceptAsync();

        accepted.LingerState = new LingerOption(true, 0);
        accepted.Dispose();

        await client.ShouldBeClosedAsync();
        (await harness.AccessLog.SingleAsync()).Reply.Should().Be(ReplyCode.Succeeded);
        harness.Server.GetMetrics().ConcurrentConnections.Should().Be(0);
    }

    [Test]
    public async Task Observer_SeesEveryChunkOfBothDirections()
    {
        var observers = new RecordingObserverFactory();
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            TrafficObservers = observers,
        });

        using (var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint))
        {
            await client.SendAsync("USER alice\r\n");
            await client.ReceiveExactlyAsync(12);
            client.Socket.Shutdown(SocketShutdown.Send);
            await client.ReadToEndAsync();
        }

        await harness.AccessLog.WaitForCountAsync(1).WaitAsync(TestTimeouts.Generous);
        var observer = observers.Observers.Should().ContainSingle().Subject;
        Encoding.ASCII.GetString(observer.ClientData).Should().Be("USER alice\r\n");
        Encoding.ASCII.GetString(observer.TargetData).Should().Be("USER alice\r\n");
        var session = observers.Sessions.Single();
        session.Username.Should().Equal(Encoding.ASCII.GetBytes("user"));
        session.Target.Should().Be(target.EndPoint);
    }

    [Test]
    public async Task Observer_Throws_IsDisabledAndRelayContinues()
    {
        var observers = new RecordingObserverFactory(() => new RecordingObserverFactory.ThrowingObserver());

        var calls = await SendThreeChunksOneWayAsync(observers);

        calls.Should().Be(1, "the first call threw, so the observer was dropped");
    }

    [Test]
    public async Task Observer_Finished_IsNotCalledAgain()
    {
        var observers = new RecordingObserverFactory(() => new RecordingObserverFactory.OneChunkObserver());

        var calls = await SendThreeChunksOneWayAsync(observers);

        calls.Should().Be(1);
    }

    /// <summary>
    /// Sends three chunks client to target, each only after the previous one arrived. One direction
    /// only, so the observer calls are sequential; returns how many calls the observer got.
    /// </summary>
    private static async Task<int> SendThreeChunksOneWayAsync(RecordingObserverFactory observers)
    {
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            TrafficObservers = observers,
        });
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        using var accepted = await target.AcceptAsync();

        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync("ping");
            var received = new byte[4];
            var read = 0;
            while (read < 4)
            {
                read += await accepted.ReceiveAsync(received.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
            }

            received.Should().Equal("ping"u8.ToArray(), "the relay goes on whatever the observer does");
        }

        client.Socket.Shutdown(SocketShutdown.Send);
        (await ReadToEndAsync(accepted)).Should().BeEmpty();
        accepted.Shutdown(SocketShutdown.Send);
        await harness.AccessLog.WaitForCountAsync(1).WaitAsync(TestTimeouts.Generous);
        return observers.Observers.Single().Calls;
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
            if (n == 0)
            {
                return [.. received];
            }

            received.AddRange(buffer.AsSpan(0, n));
        }
    }
}
