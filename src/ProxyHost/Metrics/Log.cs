using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace ProxyHost.Metrics;

/// <summary>Log messages of the metrics export (event ids 1000-1099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Metrics: Prometheus text format at http://{EndPoint}/metrics")]
    public static partial void PrometheusListening(ILogger logger, string endPoint);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Metrics: pushed over OTLP (HTTP/protobuf) to {Endpoint} every {IntervalSeconds} s")]
    public static partial void OtlpExporting(ILogger logger, Uri endpoint, double intervalSeconds);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Metrics endpoint {EndPoint}: accept failed: {Error}; retrying in {DelayMs} ms")]
    public static partial void AcceptFailing(ILogger logger, IPEndPoint endPoint, SocketError error, long delayMs);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Metrics endpoint {EndPoint}: accepting again after {Failures} failed accepts")]
    public static partial void AcceptRecovered(ILogger logger, IPEndPoint endPoint, long failures);
}
