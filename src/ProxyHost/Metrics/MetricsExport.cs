using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace ProxyHost.Metrics;

/// <summary>
/// The metrics export of socks5d: the Prometheus endpoint (<c>--metrics-listen</c>) and the OTLP push
/// (<c>--otlp-endpoint</c>), both of every instrument of the "Socks.Core" meter and of the "Socks.Users.Redis" meter (socks.redis.connected, with --redis). Started before socks5d reports that
/// it listens; stopped after the SOCKS sessions drained, so the last OTLP export carries the final counts.
/// </summary>
/// <remarks>
/// Prometheus is served by socks5d itself (<see cref="PrometheusExposition"/> over a <see cref="System.Diagnostics.Metrics.MeterListener"/>):
/// OpenTelemetry's Prometheus exporters are still pre-release and its HttpListener one cannot bind port 0 or say
/// which port it got. OTLP goes through OpenTelemetry's stable OTLP exporter.
/// </remarks>
internal sealed class MetricsExport : IHostedService, IAsyncDisposable
{
    // The engine's meter (Socks.Core.Metrics.SocksMetrics.MeterName): sessions, bytes, timeouts, log records.
    private static readonly string[] Meters = ["Socks.Core", Socks.Users.Redis.RedisUserStore.MeterName];

    private readonly HostSettings _settings;
    private readonly ILogger _logger;
    private PrometheusExposition? _exposition;
    private MetricsEndpoint? _endpoint;
    private MeterProvider? _otlp;

    /// <summary>Prepares the export; nothing runs before <see cref="TryStart"/>.</summary>
    /// <param name="settings">--metrics-listen, --otlp-endpoint, --otlp-interval.</param>
    /// <param name="logger">Diagnostics.</param>
    public MetricsExport(HostSettings settings, ILogger<MetricsExport> logger)
    {
        _settings = settings;
        _logger = logger;
    }

    /// <summary>Where the Prometheus endpoint listens, once started; null when it is not configured.</summary>
    public System.Net.IPEndPoint? PrometheusEndPoint => _endpoint?.EndPoint;

    /// <summary>Binds the Prometheus endpoint and starts the OTLP exporter, as configured.</summary>
    /// <param name="failure">The one line to print when the endpoint cannot be bound.</param>
    /// <returns>False when the endpoint cannot be bound (nothing is left running).</returns>
    public bool TryStart(out string failure)
    {
        failure = "";
        if (_settings.MetricsListen is { } listen)
        {
            _exposition = new PrometheusExposition(Meters);
            try
            {
                _endpoint = MetricsEndpoint.Start(listen, _exposition, _logger);
            }
            catch (SocketException exception)
            {
                _exposition.Dispose();
                _exposition = null;
                failure = $"cannot listen for metrics on {listen}: {exception.Message}";
                return false;
            }

            Log.PrometheusListening(_logger, _endpoint.EndPoint.ToString());
        }

        if (_settings.OtlpEndpoint is { } otlp)
        {
            var interval = _settings.OtlpInterval;
            _otlp = Sdk.CreateMeterProviderBuilder()
                .AddMeter(Meters)
                .AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Endpoint = otlp;
                    exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)interval.TotalMilliseconds;
                    reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                })
                .Build();
            Log.OtlpExporting(_logger, otlp, interval.TotalSeconds);
        }

        return true;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // Disposing the provider exports once more (the final counts), then shuts the exporter down.
        Interlocked.Exchange(ref _otlp, null)?.Dispose();
        if (Interlocked.Exchange(ref _endpoint, null) is { } endpoint)
        {
            await endpoint.DisposeAsync().ConfigureAwait(false);
        }

        Interlocked.Exchange(ref _exposition, null)?.Dispose();
    }
}
