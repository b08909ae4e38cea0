using System.Net.Sockets;
using Socks.Core.Metrics;
using Socks.Core.Relay;

namespace Socks.Core.Tests.Relay;

/// <summary>Each relay on its own, between two loopback connections: both must behave the same.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
[TestFixture("user-space")]
[TestFixture("splice")]
public sealed class RelayTests : IDisposable
{
    private readonly IRelay _relay;

    public RelayTests(string kind) =>
        _relay = kind == "splice" ? new SpliceRelay(bufferSize: 512, pipeSize: 4096) : new UserSpaceRelay(bufferSize: 512);

    public void Dispose() => (_relay as IDisposable)?.Dispose();

    [Test]
    public async Task RelayAsync_PendingData_GoesFirstAndResultCountsOnlyWhatTheRelayForwarded()
    {
        using var legs = await RelayLegs.OpenAsync();
        using var metrics = new SocksMetrics(meterFactory: null);
        var traffic = metrics.OpenTraffic();

        // As the handshake leaves it: 20 bytes read (5 of them pending data), a 10-byte reply sent.
        traffic.AddClientReceived(20);
        traffic.AddClientSent(10);
        var released = 0;
        var aborts = 0;

        var running = _relay.RelayAsync(new RelayRequest
        {
            Client = legs.ClientSide,
            Target = legs.TargetSide,
            PendingClientData = "hello"u8.ToArray(),
            PendingForwarded = () => released++,
            Traffic = traffic,
            Abort = () => aborts++,
        });
        await RelayLegs.SendAsync(legs.Client, " world");
        legs.Client.Shutdown(SocketShutdown.Send);
        (await RelayLegs.ReadToEndAsync(legs.Target)).Should().Be("hello world");
        await RelayLegs.SendAsync(legs.Target, "ok");
        legs.Target.Shutdown(SocketShutdown.Send);
        (await RelayLegs.ReadToEndAsync(legs.Client)).Should().Be("ok");
        var result = await running;

        result.Should().Be(new RelayResult(RelayEnd.Completed, SocketError.Success, ClientToTarget: 11, TargetToClient: 2));
        released.Should().Be(1);
        aborts.Should().Be(0);
        traffic.ClientReceived.Should().Be(26);
        traffic.ClientSent.Should().Be(12);
        traffic.TargetReceived.Should().Be(2);
        traffic.TargetSent.Should().Be(11);
    }

    [Test]
    public async Task RelayAsync_TargetResets_AbortsOnceAndNamesTheTarget()
    {
        using var legs = await RelayLegs.OpenAsync();
        using var metrics = new SocksMetrics(meterFactory: null);
        var aborts = 0;

        var running = _relay.RelayAsync(new RelayRequest
        {
            Client = legs.ClientSide,
            Target = legs.TargetSide,
            Traffic = metrics.OpenTraffic(),
            Abort = () =>
            {
                aborts++;
                legs.ClientSide.Dispose();
                legs.TargetSide.Dispose();
            },
        });
        legs.Target.LingerState = new LingerOption(true, 0);
        legs.Target.Dispose();
        var result = await running;

        result.End.Should().Be(RelayEnd.TargetFailed);
        result.Error.Should().Be(SocketError.ConnectionReset);
        aborts.Should().Be(1);
    }
}
