using System.Net.Sockets;
using System.Security.Cryptography;
using Socks.Core.Dissectors;
using Socks.Core.Metrics;
using Socks.Core.Relay;

namespace Socks.Core.Tests.Relay;

/// <summary>
/// What only the kernel relay has to get right, on real loopback connections: bytes intact in bulk both ways, a
/// reader that stops reading does not make the proxy buffer more than one pipe, a watched session stays in user
/// space, and pipes are shared, not held per session.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class SpliceRelayTests
{
    private const int PipeSize = 64 * 1024;

    [Test]
    public async Task Bulk_BothWaysAtOnce_EveryByteArrivesInOrderAndIsCounted()
    {
        using var relay = new SpliceRelay(PipeSize, PipeSize);
        using var legs = await RelayLegs.OpenAsync();
        var traffic = new SessionTraffic();
        var up = RandomNumberGenerator.GetBytes(8 << 20);
        var down = RandomNumberGenerator.GetBytes(6 << 20);

        var running = relay.RelayAsync(Request(legs, traffic));
        var sendUp = SendAndCloseAsync(legs.Client, up);
        var sendDown = SendAndCloseAsync(legs.Target, down);
        var atTarget = ReadAllAsync(legs.Target);
        var atClient = ReadAllAsync(legs.Client);
        await Task.WhenAll(sendUp, sendDown);
        var result = await running.WaitAsync(TestTimeouts.Generous);

        (await atTarget).SequenceEqual(up).Should().BeTrue("the target must get exactly the client's bytes");
        (await atClient).SequenceEqual(down).Should().BeTrue("the client must get exactly the target's bytes");
        result.Should().Be(new RelayResult(RelayEnd.Completed, SocketError.Success, up.Length, down.Length));
        (traffic.ClientReceived, traffic.TargetSent, traffic.TargetReceived, traffic.ClientSent)
            .Should().Be((up.Length, up.Length, down.Length, down.Length));
        relay.Pipes.Open.Should().BeLessThanOrEqualTo(SpliceRelay.IdlePipes, "pipes are kept per core, not per session");
    }

    [Test]
    public async Task ClientStopsReading_TargetFloods_ProxyHoldsAtMostOnePipeThenDeliversEverything()
    {
        using var relay = new SpliceRelay(PipeSize, PipeSize);
        using var legs = await RelayLegs.OpenAsync();
        legs.Client.ReceiveBufferSize = 16 * 1024;
        legs.ClientSide.SendBufferSize = 16 * 1024;
        var traffic = new SessionTraffic();
        var down = RandomNumberGenerator.GetBytes(16 << 20);

        var running = relay.RelayAsync(Request(legs, traffic));
        var flood = SendAndCloseAsync(legs.Target, down);

        // The client reads nothing until the relay has met a full destination and taken the slow path.
        while (relay.Stalls == 0)
        {
            await Task.Yield();
            (traffic.TargetReceived - traffic.ClientSent).Should().BeLessThanOrEqualTo(PipeSize);
            running.IsCompleted.Should().BeFalse();
        }

        flood.IsCompleted.Should().BeFalse("16 MiB cannot fit in the buffers while the client does not read");
        (traffic.TargetReceived - traffic.ClientSent).Should().BeLessThanOrEqualTo(PipeSize, "the proxy holds at most one pipe's worth in flight");

        var atClient = ReadAllAsync(legs.Client);
        await flood.WaitAsync(TestTimeouts.Generous);
        legs.Client.Shutdown(SocketShutdown.Send);
        (await atClient.WaitAsync(TestTimeouts.Generous)).SequenceEqual(down).Should().BeTrue();
        (await running.WaitAsync(TestTimeouts.Generous)).End.Should().Be(RelayEnd.Completed);
        traffic.ClientSent.Should().Be(down.Length);
    }

    [Test]
    public async Task WatchedSession_GoesThroughUserSpace_TapSeesTheBytes()
    {
        using var relay = new SpliceRelay(PipeSize, PipeSize);
        using var legs = await RelayLegs.OpenAsync();
        var observer = new CountingObserver();
        var tap = new TrafficTap(observer, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, sessionId: 1);
        var request = Request(legs, new SessionTraffic()) with { Hooks = RelayHooks.Create(idle: null, tap) };

        var running = relay.RelayAsync(request);
        await RelayLegs.SendAsync(legs.Client, "watched");
        legs.Client.Shutdown(SocketShutdown.Send);
        (await RelayLegs.ReadToEndAsync(legs.Target)).Should().Be("watched");
        legs.Target.Shutdown(SocketShutdown.Send);
        await running.WaitAsync(TestTimeouts.Generous);

        observer.FromClient.Should().Be(7, "the tap must see every byte, so the session cannot be spliced");
        relay.Pipes.Open.Should().Be(SpliceRelay.IdlePipes, "the idle pipes are open from the start, and a watched session adds none");
    }

    [Test]
    public async Task ManySessions_IdleAfterTraffic_HoldNoPipes()
    {
        using var relay = new SpliceRelay(PipeSize, PipeSize);
        var sessions = new List<(RelayLegs Legs, Task<RelayResult> Running)>();
        try
        {
            for (var i = 0; i < 32; i++)
            {
                var legs = await RelayLegs.OpenAsync();
                sessions.Add((legs, relay.RelayAsync(Request(legs, new SessionTraffic()))));
                await RelayLegs.SendAsync(legs.Client, "ping");
                var buffer = new byte[4];
                var got = 0;
                while (got < 4)
                {
                    got += await legs.Target.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None);
                }
            }

            relay.Pipes.Open.Should().BeLessThanOrEqualTo(SpliceRelay.IdlePipes, "32 sessions that relayed and went idle hold no pipe each");
        }
        finally
        {
            foreach (var (legs, running) in sessions)
            {
                legs.Client.Shutdown(SocketShutdown.Send);
                legs.Target.Shutdown(SocketShutdown.Send);
                (await running.WaitAsync(TestTimeouts.Generous)).End.Should().Be(RelayEnd.Completed);
                legs.Dispose();
            }
        }
    }

    private static RelayRequest Request(RelayLegs legs, SessionTraffic traffic) => new()
    {
        Client = legs.ClientSide,
        Target = legs.TargetSide,
        Traffic = traffic,
        Abort = () =>
        {
            legs.ClientSide.Dispose();
            legs.TargetSide.Dispose();
        },
    };

    private static async Task SendAndCloseAsync(Socket socket, byte[] data)
    {
        var rest = data.AsMemory();
        while (!rest.IsEmpty)
        {
            rest = rest[await socket.SendAsync(rest, SocketFlags.None)..];
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<byte[]> ReadAllAsync(Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        return received.ToArray();
    }

    private sealed class CountingObserver : ITrafficObserver
    {
        public int FromClient { get; private set; }

        public bool IsFinished => false;

        public void OnClientData(ReadOnlySpan<byte> data) => FromClient += data.Length;

        public void OnTargetData(ReadOnlySpan<byte> data)
        {
        }
    }
}
