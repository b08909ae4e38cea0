using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ProxyHost.Tests.Infrastructure;

/// <summary>A loopback echo server: each connection is echoed until EOF, then closed.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly ConcurrentBag<Task> _handlers = [];
    private readonly Task _loop;

    public EchoServer()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _loop = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _loop;
        await Task.WhenAll(_handlers).WaitAsync(TestTimeouts.Generous);
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync();
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                // Disposed by the test.
                return;
            }

            _handlers.Add(Task.Run(() => EchoAsync(socket)));
        }
    }

    private static async Task EchoAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[8192];
            try
            {
                int n;
                while ((n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None)) > 0)
                {
                    var data = buffer.AsMemory(0, n);
                    while (!data.IsEmpty)
                    {
                        data = data[await socket.SendAsync(data, SocketFlags.None)..];
                    }
                }
            }
            catch (SocketException)
            {
                // The proxy aborted the session (shutdown tests): nothing left to echo.
            }
        }
    }
}
