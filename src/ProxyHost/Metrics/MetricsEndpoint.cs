using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ProxyHost.Metrics;

/// <summary>
/// <c>--metrics-listen ADDR:PORT</c>: a plain HTTP/1.x endpoint that answers <c>GET /metrics</c> with
/// <see cref="PrometheusExposition"/>, for a Prometheus scraper. One request per connection (Connection: close),
/// at most <see cref="MaxConnections"/> at once (more are closed at once), each with <see cref="RequestTimeout"/>
/// to send its request head of at most <see cref="MaxRequestHead"/> bytes.
/// </summary>
internal sealed class MetricsEndpoint : IAsyncDisposable, IAcceptLoopHandler
{
    /// <summary>Scrapes served at once.</summary>
    public const int MaxConnections = 8;

    /// <summary>The longest request head read.</summary>
    public const int MaxRequestHead = 8192;

    /// <summary>How long a client has to send its request head.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly PrometheusExposition _exposition;
    private readonly ILogger _logger;
    private readonly Socket _listener;
    private readonly Task _accepting;
    private int _connections;
    private int _stopping;

    private MetricsEndpoint(Socket listener, PrometheusExposition exposition, ILogger logger)
    {
        _listener = listener;
        _exposition = exposition;
        _logger = logger;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _accepting = new AcceptLoop(listener, this, TimeProvider.System).RunAsync();
    }

    /// <summary>Where it listens (the real port when 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    /// <inheritdoc/>
    public bool IsStopping => Volatile.Read(ref _stopping) != 0;

    /// <summary>Binds and starts serving.</summary>
    /// <param name="endpoint">The address and port (0 picks a free port).</param>
    /// <param name="exposition">What to serve.</param>
    /// <param name="logger">Diagnostics.</param>
    /// <returns>The running endpoint.</returns>
    /// <exception cref="SocketException">The address cannot be bound.</exception>
    public static MetricsEndpoint Start(IPEndPoint endpoint, PrometheusExposition exposition, ILogger logger)
    {
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(endpoint);
            listener.Listen(64);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new MetricsEndpoint(listener, exposition, logger);
    }

    /// <inheritdoc/>
    public void OnAccepted(Socket client)
    {
        if (Interlocked.Increment(ref _connections) > MaxConnections)
        {
            Interlocked.Decrement(ref _connections);
            client.Dispose();
            return;
        }

        _ = ServeAsync(client);
    }

    /// <inheritdoc/>
    public void OnAcceptFailing(SocketError error, TimeSpan backoff) => Log.AcceptFailing(_logger, EndPoint, error, (long)backoff.TotalMilliseconds);

    /// <inheritdoc/>
    public void OnAcceptRecovered(long failures) => Log.AcceptRecovered(_logger, EndPoint, failures);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _stopping, 1);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            using (client)
            using (var deadline = new CancellationTokenSource(RequestTimeout))
            {
                var head = await ReadHeadAsync(client, deadline.Token).ConfigureAwait(false);
                var response = head is null ? Response(400, "Bad Request", "bad request\n", "text/plain")
                    : Answer(head);
                await client.SendAsync(response, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The scraper went away or was too slow: nothing to tell anyone.
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    private byte[] Answer(string head)
    {
        var requestLine = head[..head.IndexOf('\r', StringComparison.Ordinal)];
        var parts = requestLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return Response(400, "Bad Request", "bad request\n", "text/plain");
        }

        var path = parts[1].Split('?')[0];
        if (path != "/metrics")
        {
            return Response(404, "Not Found", "not found: the metrics are at /metrics\n", "text/plain");
        }

        return parts[0] switch
        {
            "GET" => Response(200, "OK", _exposition.Collect(), PrometheusExposition.ContentType),
            _ => Response(405, "Method Not Allowed", "only GET\n", "text/plain"),
        };
    }

    /// <summary>Reads up to the blank line that ends the request head; null when it is too long, or the peer closed first.</summary>
    private static async Task<string?> ReadHeadAsync(Socket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestHead];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                return Encoding.ASCII.GetString(buffer, 0, length);
            }
        }

        return null;
    }

    private static byte[] Response(int status, string reason, string body, string contentType)
    {
        var content = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. content];
    }
}
