using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Tests.Common;

/// <summary>
/// A destination server on loopback port 0. In echo mode it echoes each connection until EOF, then
/// half-closes and closes; otherwise tests take accepted sockets with <see cref="AcceptAsync"/>.
/// </summary>
public sealed class TestTarget : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly bool _echo;
    private readonly ConcurrentBag<Task> _handlers = [];
    private readonly ConcurrentBag<IPEndPoint> _peers = [];
    private readonly Task? _acceptLoop;

    private TestTarget(IPAddress address, bool echo)
    {
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(1024);
        _echo = echo;
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        if (echo)
        {
            _acceptLoop = AcceptLoopAsync();
        }
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Remote endpoints of the connections the echo target accepted (the proxy's outbound side).</summary>
    public IReadOnlyCollection<IPEndPoint> Peers => _peers;

    public static TestTarget Echo(IPAddress? address = null) => new(address ?? IPAddress.Loopback, echo: true);

    public static TestTarget Manual(IPAddress? address = null) => new(address ?? IPAddress.Loopback, echo: false);

    public async Task<Socket> AcceptAsync()
    {
        var socket = await _listener.AcceptAsync().WaitAsync(TestTimeouts.Generous);
        socket.NoDelay = true;
        return socket;
    }

    /// <summary>Completes when every echo connection accepted so far has been closed on the target's side.</summary>
    public Task WhenConnectionsClosedAsync() => Task.WhenAll(_handlers).WaitAsync(TestTimeouts.Generous);

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }

        await Task.WhenAll(_handlers).WaitAsync(TestTimeouts.Generous);
    }

    private async Task AcceptLoopAsync()
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
                // Disposed by the test: the loop ends.
                return;
            }

            _peers.Add((IPEndPoint)socket.RemoteEndPoint!);
            _handlers.Add(Task.Run(() => EchoAsync(socket)));
        }
    }

    private static async Task EchoAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None);
                    if (n == 0)
                    {
                        socket.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    var data = buffer.AsMemory(0, n);
                    while (!data.IsEmpty)
                    {
                        data = data[await socket.SendAsync(data, SocketFlags.None)..];
                    }
                }
            }
            catch (SocketException)
            {
                // The proxy aborted the connection (a test about aborts): nothing to echo any more.
            }
        }
    }
}
