using Microsoft.Extensions.Hosting;
using ProxyHost.Management;

namespace ProxyHost.Hosting;

/// <summary>
/// Ties the already started MCP listener to the host's stop. Registered after <see cref="SocksServerService"/>, so
/// the host stops it first: on SIGTERM the management port closes at once (admin connections are closed, a user
/// change in progress finishes), then the SOCKS sessions drain.
/// </summary>
internal sealed class ManagementService : IHostedService
{
    private readonly McpManagementServer _server;

    /// <summary>Creates the service.</summary>
    /// <param name="server">The running MCP listener.</param>
    public ManagementService(McpManagementServer server)
    {
        _server = server;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => _server.StopAsync(cancellationToken);
}
