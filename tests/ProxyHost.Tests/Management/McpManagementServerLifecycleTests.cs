using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using ProxyHost.Management;

namespace ProxyHost.Tests.Management;

/// <summary>Start and stop, the connection cap and the idle timeout.</summary>
public class McpManagementServerLifecycleTests
{
    [Test]
    public async Task IdleTimeout_SilentConnection_ClosedWhenTimeoutPasses()
    {
        await using var harness = ServerHarness.Start(new McpManagementOptions { IdleTimeout = TimeSpan.FromMinutes(2) });
        await using var client = await harness.ConnectRawAsync();
        await harness.WaitUntilAsync(s => s.AcceptedConnections == 1);

        harness.Time.Advance(TimeSpan.FromMinutes(2));

        (await client.ReadToEndAsync()).Should().BeEmpty();
        await harness.WaitUntilAsync(s => s.ActiveConnections == 0);
    }

    [Test]
    public async Task IdleTimeout_PartialFrameArrives_ClockRestartsFromThatByte()
    {
        var timeout = TimeSpan.FromMinutes(5);

        // The frame deadline (McpManagementServerLimitTests) would end these half frames first.
        await using var harness = ServerHarness.Start(new McpManagementOptions { IdleTimeout = timeout, FrameTimeout = Timeout.InfiniteTimeSpan });
        await using var client = await harness.ConnectRawAsync();
        await harness.WaitUntilAsync(s => s.AcceptedConnections == 1);

        harness.Time.Advance(timeout - TimeSpan.FromSeconds(1));
        await client.SendAsync(0x01);
        await harness.WaitUntilAsync(s => s.BytesReceived == 1);

        // A full period after the connection opened, but not after the byte: still open.
        harness.Time.Advance(timeout - TimeSpan.FromSeconds(1));
        harness.Logger.Entries.Should().NotContain(e => e.Text.Contains("no progress"));
        await client.SendAsync(0x00, 0x00, 0x00);
        (await client.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);
    }

    [Test]
    public async Task IdleTimeout_AfterLastAnswer_ClosesAfterFullQuietPeriodOnly()
    {
        var timeout = TimeSpan.FromMinutes(5);
        await using var harness = ServerHarness.Start(new McpManagementOptions { IdleTimeout = timeout, FrameTimeout = Timeout.InfiniteTimeSpan });
        await using var client = await harness.ConnectRawAsync();
        await harness.WaitUntilAsync(s => s.AcceptedConnections == 1);

        harness.Time.Advance(timeout - TimeSpan.FromSeconds(1));
        await client.SendAsync(0x01);
        await harness.WaitUntilAsync(s => s.BytesReceived == 1);
        harness.Time.Advance(timeout - TimeSpan.FromSeconds(1));
        harness.Logger.Entries.Should().NotContain(e => e.Text.Contains("no progress"));

        harness.Time.Advance(TimeSpan.FromSeconds(1));

        (await client.ReadToEndAsync()).Should().BeEmpty();
    }

    [Test]
    public async Task IdleTimeout_BackendBusyLongerThanTimeout_ConnectionKeptAndAnswered()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = new TestBackend { AddUserGate = gate.Task };
        var timeout = TimeSpan.FromMinutes(1);
        await using var harness = ServerHarness.Start(new McpManagementOptions { IdleTimeout = timeout }, backend);
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.AddAlice);
        await backend.AddUserEntered.WaitAsync(ServerHarness.Timeout);
        harness.Time.Advance(timeout * 3);
        gate.SetResult();

        (await client.ReadAsync(4)).Should().Equal(Frames.Ok);
        harness.Logger.Entries.Should().NotContain(e => e.Text.Contains("no progress"));
    }

    [Test]
    public async Task IdleTimeout_Infinite_NoTimerAndConnectionKept()
    {
        await using var harness = ServerHarness.Start(new McpManagementOptions { IdleTimeout = Timeout.InfiniteTimeSpan });
        await using var client = await harness.ConnectRawAsync();
        await harness.WaitUntilAsync(s => s.AcceptedConnections == 1);

        harness.Time.ActiveTimerCount.Should().Be(0);
        harness.Time.Advance(TimeSpan.FromDays(365));

        await client.SendAsync(Frames.GetMetrics);
        (await client.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);
    }

    [Test]
    public async Task MaxConnections_OneTooManyWhileAllBusy_ExtraClosedWithoutAnswerAndSlotReusedLater()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = new TestBackend { AddUserGate = gate.Task };
        await using var harness = ServerHarness.Start(new McpManagementOptions { MaxConnections = 2 }, backend);
        await using var first = await harness.ConnectRawAsync();
        await using var second = await harness.ConnectRawAsync();

        // Both in the middle of a command: neither may be replaced (McpManagementServerLimitTests has the other cases).
        await first.SendAsync(Frames.AddAlice);
        await second.SendAsync(Frames.AddBob);
        await backend.AddUserCalls.WaitAsync(ServerHarness.Timeout);
        await backend.AddUserCalls.WaitAsync(ServerHarness.Timeout);

        await using (var extra = await harness.ConnectRawAsync())
        {
            (await extra.ReadToEndAsync()).Should().BeEmpty();
        }

        harness.Statistics.RejectedConnections.Should().Be(1);
        harness.Statistics.ReplacedConnections.Should().Be(0, "a connection busy in the backend is never replaced");
        harness.Logger.Entries.Should().Contain(e => e.Text.Contains("connection limit (2) reached"));

        // The two served connections are unaffected.
        gate.SetResult();
        (await first.ReadAsync(4)).Should().Equal(Frames.Ok);
        (await second.ReadAsync(4)).Should().Equal(Frames.Ok);
        await second.SendAsync(Frames.ToggleDissector);
        (await second.ReadAsync(5)).Should().Equal(Frames.DissectorOn);

        // When one ends, a new client gets its slot.
        await first.DisposeAsync();
        await harness.WaitUntilAsync(s => s.ActiveConnections == 1);
        await using var next = await harness.ConnectRawAsync();
        await next.SendAsync(Frames.GetMetrics);
        (await next.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);
    }

    [Test]
    public async Task StopAsync_OpenConnections_ClosesThemAndStopsListening()
    {
        var harness = ServerHarness.Start();
        var endPoint = harness.EndPoint;
        await using var idle = await harness.ConnectRawAsync();
        await using var midFrame = await harness.ConnectRawAsync();
        await midFrame.SendAsync(Frames.AddAlice[..5]);
        await harness.WaitUntilAsync(s => s.ActiveConnections == 2 && s.BytesReceived == 5);

        await harness.Server.StopAsync(CancellationToken.None).WaitAsync(ServerHarness.Timeout);

        harness.Statistics.ActiveConnections.Should().Be(0);
        (await idle.ReadToEndAsync()).Should().BeEmpty();
        var refused = async () => await RawMcpConnection.ConnectAsync(endPoint);
        (await refused.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);
        await harness.DisposeAsync();
    }

    [Test]
    public async Task StopAsync_BackendIgnoresCancellation_ReturnsAtDeadline()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = new BlockingBackend(gate.Task);
        await using var server = new McpManagementServer(backend, new McpManagementOptions(), NullLogger<McpManagementServer>.Instance);
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = await RawMcpConnection.ConnectAsync(server.LocalEndPoint);
        await client.SendAsync(Frames.AddAlice);
        await backend.Entered.WaitAsync(ServerHarness.Timeout);

        using var deadline = new CancellationTokenSource();
        var stop = server.StopAsync(deadline.Token);
        stop.IsCompleted.Should().BeFalse("the connection is still inside the backend call");
        await deadline.CancelAsync();
        await stop.WaitAsync(ServerHarness.Timeout);

        // Once the backend returns, the aborted connection closes without answering.
        gate.SetResult();
        await server.Statistics.WaitUntilAsync(s => s.ActiveConnections == 0);
        (await client.ReadToEndAsync()).Should().BeEmpty();
    }

    [Test]
    public async Task Start_PortInUse_ThrowsAddressAlreadyInUseAndCanStartElsewhere()
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        await using var server = new McpManagementServer(new TestBackend(), new McpManagementOptions(), NullLogger<McpManagementServer>.Instance);

        var start = () => server.Start((IPEndPoint)occupant.LocalEndPoint!);

        start.Should().Throw<SocketException>().Which.SocketErrorCode.Should().Be(SocketError.AddressAlreadyInUse);
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        server.LocalEndPoint.Port.Should().NotBe(0);
    }

    [Test]
    public async Task Start_Twice_ThrowsInvalidOperation()
    {
        await using var harness = ServerHarness.Start();

        var again = () => harness.Server.Start(new IPEndPoint(IPAddress.Loopback, 0));

        again.Should().Throw<InvalidOperationException>().WithMessage("*already started*");
    }

    [Test]
    public async Task Start_AfterStop_ThrowsInvalidOperation()
    {
        await using var harness = ServerHarness.Start();
        await harness.Server.StopAsync(CancellationToken.None).WaitAsync(ServerHarness.Timeout);

        var again = () => harness.Server.Start(new IPEndPoint(IPAddress.Loopback, 0));

        again.Should().Throw<InvalidOperationException>().WithMessage("*stopped*");
    }

    [Test]
    public async Task LocalEndPoint_BeforeStart_ThrowsInvalidOperation()
    {
        await using var server = new McpManagementServer(new TestBackend(), new McpManagementOptions(), NullLogger<McpManagementServer>.Instance);

        var read = () => server.LocalEndPoint;

        read.Should().Throw<InvalidOperationException>();
    }

    [Test]
    public async Task Start_IPv6Loopback_ServesCommands()
    {
        if (!Socket.OSSupportsIPv6)
        {
            Assert.Ignore("IPv6 is not available on this machine.");
        }

        await using var server = new McpManagementServer(new TestBackend(), new McpManagementOptions(), NullLogger<McpManagementServer>.Instance);
        server.Start(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        await using var client = await RawMcpConnection.ConnectAsync(server.LocalEndPoint);

        await client.SendAsync(Frames.GetMetrics);

        (await client.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);
    }

    [TestCase(0, 1.0, TestName = "Constructor_MaxConnectionsZero_Throws")]
    [TestCase(1, 0.0, TestName = "Constructor_IdleTimeoutZero_Throws")]
    [TestCase(1, -2.0, TestName = "Constructor_IdleTimeoutNegative_Throws")]
    public void Constructor_InvalidOptions_ThrowsArgumentOutOfRange(int maxConnections, double idleSeconds)
    {
        var options = new McpManagementOptions { MaxConnections = maxConnections, IdleTimeout = TimeSpan.FromSeconds(idleSeconds) };

        var create = () => new McpManagementServer(new TestBackend(), options, NullLogger<McpManagementServer>.Instance);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    /// <summary>A backend whose ADD_USER ignores cancellation until released (a user store mid-fsync).</summary>
    private sealed class BlockingBackend(Task release) : IManagementBackend
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public Mcp.Protocol.McpMetrics GetMetrics() => TestBackend.FixedMetrics;

        public ValueTask<IReadOnlyList<byte[]>> ListUsersAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<byte[]>>([]);

        public async ValueTask<Mcp.Protocol.McpStatus> AddUserAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            await release;
            return Mcp.Protocol.McpStatus.Ok;
        }

        public ValueTask<Mcp.Protocol.McpStatus> RemoveUserAsync(ReadOnlyMemory<byte> username, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Mcp.Protocol.McpStatus.UserNotFound);

        public bool ToggleDissector() => false;

        public bool DissectorEnabled => false;

        public bool SetDissector(bool enabled) => false;
    }
}
