using System.Net;
using System.Net.Sockets;

namespace EndToEnd.Tests.Fleet;

/// <summary>
/// A TCP relay on loopback in front of a real redis-server that can lose one reply on purpose: once armed, the next
/// request chunk containing a marker (e.g. <c>EVAL</c>) is forwarded to Redis, and Redis's reply is thrown away and the
/// client's connection closed, so the client cannot tell whether the command was carried out (it was).
/// </summary>
internal sealed class ReplyEatingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private byte[]? _marker;
    private int _eaten;

    public ReplyEatingRelay(int redisPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, redisPort);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>HOST:PORT of the relay, for the client.</summary>
    public string EndPoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>How many replies were eaten so far.</summary>
    public int Eaten => Volatile.Read(ref _eaten);

    /// <summary>Loses the reply to the next request chunk that contains <paramref name="marker"/>.</summary>
    public void EatNextReplyTo(string marker) => Volatile.Write(ref _marker, System.Text.Encoding.ASCII.GetBytes(marker));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        await _accepting.ContinueWith(static _ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException)
            {
                // Redis is down: the client sees its connection closed, as it would see Redis's port refuse.
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            var connection = new Connection();
            _ = PumpAsync(client, server, connection, requests: true);
            _ = PumpAsync(server, client, connection, requests: false);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, Connection connection, bool requests)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    break;
                }

                if (!requests && connection.EatReply)
                {
                    // Redis answers only after it has carried the command out: the reply is lost, and the client's
                    // connection is closed, so it cannot tell whether the command ran (it did).
                    from.Dispose();
                    to.Dispose();
                    break;
                }

                if (requests && Volatile.Read(ref _marker) is { } marker && buffer.AsSpan(0, n).IndexOf(marker) >= 0
                    && Interlocked.CompareExchange(ref _marker, null, marker) == marker)
                {
                    // Armed before the command goes to Redis, so its answer cannot slip through: the answer is thrown
                    // away and closes the connection (the other pump).
                    connection.EatReply = true;
                    Interlocked.Increment(ref _eaten);
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        from.Dispose();
        to.Dispose();
    }

    private sealed class Connection
    {
        private volatile bool _eatReply;

        public bool EatReply
        {
            get => _eatReply;
            set => _eatReply = value;
        }
    }
}
