using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Socks.Core.Hosting;

/// <summary>Starts the app's <see cref="SocksServer"/> with the host and drains it when the host stops.</summary>
internal sealed class SocksServerHostedService(SocksServer server, IOptions<SocksHostOptions> options, ILoggerFactory? loggerFactory = null)
    : IHostedService
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Socks.Core.Hosting");

    /// <summary>Binds every endpoint (a failure fails the host's start: nothing is left bound).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        server.Start(SocksServiceCollectionExtensions.ParseEndpoints(options.Value.Endpoints));
        Log.Listening(_logger, string.Join(", ", server.LocalEndPoints), server.MaxConnections);
        return Task.CompletedTask;
    }

    /// <summary>Closes the listeners and lets open sessions finish within the drain timeout or the host's deadline.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await server.StopAsync(options.Value.DrainTimeout, cancellationToken).ConfigureAwait(false);
        Log.Stopped(_logger);
    }
}
