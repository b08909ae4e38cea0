using System.Net.Sockets;
using Socks.Core.Relay;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Relay;

/// <summary>A session's relay gets hooks only for what is switched on, and none when nothing is.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class RelayHooksTests
{
    [Test]
    public void Create_NothingSwitchedOn_IsNone()
    {
        var hooks = RelayHooks.Create(idle: null, tap: null);

        hooks.Should().Be(RelayHooks.None);
        hooks.ClientToTarget.Should().BeNull();
        hooks.TargetToClient.Should().BeNull();
    }

    [Test]
    public async Task Session_NoIdleTimeoutAndNoObservers_RelaysWithoutHooks()
    {
        var relay = new RecordingRelay();

        var hooks = await RelayOneSessionAsync(relay, Timeout.InfiniteTimeSpan, observers: null);

        hooks.ClientToTarget.Should().BeNull("an unobserved session pays no hook per chunk");
        hooks.TargetToClient.Should().BeNull();
    }

    [Test]
    public async Task Session_IdleTimeout_BothDirectionsTouchTheIdleTimer()
    {
        var relay = new RecordingRelay();

        var hooks = await RelayOneSessionAsync(relay, TimeSpan.FromMinutes(15), observers: null);

        hooks.ClientToTarget!.FromClient.Should().BeTrue();
        hooks.TargetToClient!.FromClient.Should().BeFalse();
        hooks.ClientToTarget.Idle.Should().NotBeNull();
        hooks.ClientToTarget.Idle.Should().BeSameAs(hooks.TargetToClient.Idle);
        hooks.ClientToTarget.Tap.Should().BeNull();
    }

    [Test]
    public async Task Session_ObservedWithoutIdleTimeout_BothDirectionsFeedTheTap()
    {
        var relay = new RecordingRelay();
        var observers = new RecordingObserverFactory();

        var hooks = await RelayOneSessionAsync(relay, Timeout.InfiniteTimeSpan, observers);

        hooks.ClientToTarget!.Tap.Should().NotBeNull();
        hooks.ClientToTarget.Tap.Should().BeSameAs(hooks.TargetToClient!.Tap);
        hooks.ClientToTarget.Idle.Should().BeNull();
        observers.Observers.Should().ContainSingle().Which.ClientData.Should().Equal("ping"u8.ToArray());
    }

    private static async Task<RelayHooks> RelayOneSessionAsync(RecordingRelay relay, TimeSpan idleTimeout, RecordingObserverFactory? observers)
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Empty(),
            AllowAnonymous = true,
            AccessLog = log,
            IdleTimeout = idleTimeout,
            TrafficObservers = observers,
            Relay = relay,
        });
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, user: null);

        await client.SendAsync("ping");
        (await client.ReceiveExactlyAsync(4)).Should().Equal("ping"u8.ToArray());
        client.Socket.Shutdown(SocketShutdown.Send);
        await client.ShouldBeClosedAsync();
        (await harness.AccessLog.SingleAsync()).BytesClientToTarget.Should().Be(4);

        relay.Hooks.Should().ContainSingle();
        return relay.Hooks.Single();
    }
}
