using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tests.Common;

/// <summary>An HTTP/1.0 server on 127.0.0.1:0 that answers every request with a fixed page, or with a large body of zeros.</summary>
public sealed class TinyWebServer : IAsyncDisposable
{
    public const string Body = "hello through socks5d\n";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _loop;
    private readonly long _bodyLength;
    private int _requests;

    /// <summary>Serves <see cref="Body"/>.</summary>
    public TinyWebServer()
        : this(0)
    {
    }

    /// <summary>Serves <paramref name="bodyLength"/> zero bytes (a download a client can read slowly), or <see cref="Body"/> when 0.</summary>
    public TinyWebServer(long bodyLength)
    {
        _bodyLength = bodyLength;
        _listener.Start();
        _loop = ServeAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Requests => Volatile.Read(ref _requests);

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped by the test (before or during the accept).
                return;
            }

            using (client)
            {
                var stream = client.GetStream();
                var request = new StringBuilder();
                var buffer = new byte[1024];
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer);
                    if (n == 0)
                    {
                        break;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }

                Interlocked.Increment(ref _requests);
                if (_bodyLength == 0)
                {
                    var response = $"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Body.Length}\r\nConnection: close\r\n\r\n{Body}";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
                    continue;
                }

                try
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {_bodyLength}\r\nConnection: close\r\n\r\n"));
                    var zeros = new byte[64 * 1024];
                    for (var left = _bodyLength; left > 0; left -= zeros.Length)
                    {
                        await stream.WriteAsync(zeros.AsMemory(0, (int)Math.Min(left, zeros.Length)));
                    }
                }
                catch (IOException)
                {
                    // The client (or the proxy) went away in the middle of the body.
                }
            }
        }
    }
}
