using System.Net;
using Mcp.Protocol;
using ProxyHost.Management;

namespace ProxyHost.Tests.Management;

/// <summary>A started <see cref="McpManagementServer"/> on 127.0.0.1:0 with a <see cref="TestBackend"/>, a manual clock and a captured log.</summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = RawMcpConnection.Timeout;

    private ServerHarness(McpManagementServer server, TestBackend backend, ManualTimeProvider time, CapturingLogger<McpManagementServer> logger, McpManagementOptions options)
    {
        Server = server;
        Backend = backend;
        Time = time;
        Logger = logger;
        Options = options;
    }

    public McpManagementServer Server { get; }

    public TestBackend Backend { get; }

    public ManualTimeProvider Time { get; }

    public CapturingLogger<McpManagementServer> Logger { get; }

    public McpManagementOptions Options { get; }

    public McpManagementStatistics Statistics => Server.Statistics;

    public IPEndPoint EndPoint => Server.LocalEndPoint;

    public static ServerHarness Start(McpManagementOptions? options = null, TestBackend? backend = null)
    {
        options ??= new McpManagementOptions();
        backend ??= new TestBackend();
        var time = new ManualTimeProvider();
        var logger = new CapturingLogger<McpManagementServer>();
        var server = new McpManagementServer(backend, options, logger, time);
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return new ServerHarness(server, backend, time, logger, options);
    }

    public Task<RawMcpConnection> ConnectRawAsync() => RawMcpConnection.ConnectAsync(EndPoint);

    public Task<McpClient> ConnectClientAsync() =>
        McpClient.ConnectAsync(EndPoint.Address.ToString(), EndPoint.Port).WaitAsync(Timeout);

    /// <summary>Waits (at most <see cref="Timeout"/>) until the server's counters satisfy <paramref name="condition"/>.</summary>
    public Task WaitUntilAsync(Func<McpManagementStatistics, bool> condition) => Statistics.WaitUntilAsync(condition);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync().AsTask().WaitAsync(Timeout);
}
