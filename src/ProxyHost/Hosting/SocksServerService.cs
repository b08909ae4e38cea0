using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Socks.Core;

namespace ProxyHost.Hosting;

/// <summary>
/// Ties the already started <see cref="SocksServer"/> to the host's stop: listeners close at once,
/// sessions drain up to the drain timeout, the rest are aborted.
/// </summary>
internal sealed class SocksServerService : IHostedService
{
    private readonly SocksServer _server;
    private readonly HostSettings _settings;
    private readonly ILogger _logger;

    /// <summary>Creates the service.</summary>
    /// <param name="server">The running server.</param>
    /// <param name="settings">The drain timeout.</param>
    /// <param name="logger">The logger.</param>
    public SocksServerService(SocksServer server, HostSettings settings, ILogger<SocksServerService> logger)
    {
        _server = server;
        _settings = settings;
        _logger = logger;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _server.StopAsync(_settings.DrainTimeout, cancellationToken).ConfigureAwait(false);
        var metrics = _server.GetMetrics();
        Log.Stopped(_logger, metrics.HistoricalConnections, metrics.SuccessfulConnections, metrics.FailedConnections);
    }
}
