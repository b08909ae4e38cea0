using System.Net;
using Mcp.Protocol;
using ProxyHost.Management;

namespace ProxyHost.Tests.Management;

/// <summary>A started <see cref="McpManagementServer"/> on 127.0.0.1:0 with a <see cref="TestBackend"/>, a manual clock and a captured log.</summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = RawMcpConnection.Timeout;

    private ServerHarness(
        McpManagementServer server, TestBackend backend, ManualTimeProvider time, TimerWatchingClock timers, CapturingLogger<McpManagementServer> logger,
        McpManagementOptions options, EndPoint listenEndPoint)
    {
        Server = server;
        Backend = backend;
        Time = time;
        Timers = timers;
        Logger = logger;
        Options = options;
        ListenEndPoint = listenEndPoint;
    }

    public McpManagementServer Server { get; }

    public TestBackend Backend { get; }

    public ManualTimeProvider Time { get; }

    /// <summary>The server's clock: <see cref="Time"/>, reporting every timer the server creates.</summary>
    public TimerWatchingClock Timers { get; }

    public CapturingLogger<McpManagementServer> Logger { get; }

    public McpManagementOptions Options { get; }

    public McpManagementStatistics Statistics => Server.Statistics;

    /// <summary>The TCP endpoint (for a harness started on TCP).</summary>
    public IPEndPoint EndPoint => Server.LocalEndPoint;

    /// <summary>Where the server listens: the TCP endpoint, or the Unix socket it was started on.</summary>
    public EndPoint ListenEndPoint { get; }

    /// <summary>Starts a server on 127.0.0.1:0, or on <paramref name="listenOn"/> (a Unix socket, say).</summary>
    public static ServerHarness Start(McpManagementOptions? options = null, TestBackend? backend = null, EndPoint? listenOn = null)
    {
        options ??= new McpManagementOptions();
        backend ??= new TestBackend();
        var time = new ManualTimeProvider();
        var timers = new TimerWatchingClock(time);
        var logger = new CapturingLogger<McpManagementServer>();
        var server = new McpManagementServer(backend, options, logger, timers);
        server.Start(listenOn ?? new IPEndPoint(IPAddress.Loopback, 0));
        return new ServerHarness(server, backend, time, timers, logger, options, listenOn ?? server.LocalEndPoint);
    }

    public Task<RawMcpConnection> ConnectRawAsync() => RawMcpConnection.ConnectAsync(ListenEndPoint);

    public Task<McpClient> ConnectClientAsync() =>
        McpClient.ConnectAsync(EndPoint.Address.ToString(), EndPoint.Port).WaitAsync(Timeout);

    /// <summary>Waits (at most <see cref="Timeout"/>) until the server's counters satisfy <paramref name="condition"/>.</summary>
    public Task WaitUntilAsync(Func<McpManagementStatistics, bool> condition) => Statistics.WaitUntilAsync(condition);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync().AsTask().WaitAsync(Timeout);
}
