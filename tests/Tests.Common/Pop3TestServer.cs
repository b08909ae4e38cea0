using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Tests.Common;

/// <summary>
/// A POP3 server on 127.0.0.1:0 speaking enough of RFC 1939 (USER, PASS, APOP, STAT, LIST, UIDL,
/// NOOP, QUIT), RFC 2449 (CAPA: USER only, no STLS or SASL, so curl logs in with USER/PASS), RFC 2595
/// STLS (answers +OK, then only records what arrives) and RFC 5034 AUTH PLAIN (with or without an
/// initial response). Only <see cref="User"/>/<see cref="Password"/> logs in. Every connection keeps
/// the exact bytes it received.
/// </summary>
public sealed class Pop3TestServer : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "secret";

    /// <summary>The APOP timestamp (RFC 1939 §7) put in the greeting when APOP is offered.</summary>
    public const string Timestamp = "<1896.697170952@pop3.test>";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly bool _offerApop;
    private readonly Lock _lock = new();
    private readonly List<Connection> _connections = [];
    private readonly List<(int Index, TaskCompletionSource<Connection> Accepted)> _waiters = [];
    private readonly Task _loop;

    /// <param name="offerApop">
    /// Put an APOP timestamp in the greeting. Off by default: curl prefers APOP when the greeting offers
    /// it, and the curl tests expect USER/PASS.
    /// </param>
    public Pop3TestServer(bool offerApop = false)
    {
        _offerApop = offerApop;
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _loop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    public string Greeting => _offerApop ? $"+OK POP3 test server ready {Timestamp}\r\n" : "+OK POP3 test server ready\r\n";

    /// <summary>The APOP digest a client proves <see cref="Password"/> with: MD5 of timestamp and password, in lower-case hex.</summary>
    public static string ApopDigest(string password) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(Timestamp + password)));

    /// <summary>The <paramref name="index"/>th connection (0-based), once accepted.</summary>
    public Task<Connection> ConnectionAsync(int index)
    {
        lock (_lock)
        {
            if (index < _connections.Count)
            {
                return Task.FromResult(_connections[index]);
            }

            var accepted = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((index, accepted));
            return accepted.Task.WaitAsync(TestTimeouts.Generous);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
        Connection[] connections;
        lock (_lock)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            connection.Socket.Dispose();
        }

        await Task.WhenAll(connections.Select(c => c.Completed)).WaitAsync(TestTimeouts.Generous);
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync();
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                // Stopped by the test.
                return;
            }

            socket.NoDelay = true;
            var connection = new Connection(socket);
            lock (_lock)
            {
                _connections.Add(connection);
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Index < _connections.Count)
                    {
                        _waiters[i].Accepted.TrySetResult(_connections[_waiters[i].Index]);
                        _waiters.RemoveAt(i);
                    }
                }
            }

            connection.Completed = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(Connection connection)
    {
        var socket = connection.Socket;
        try
        {
            await SendAsync(socket, Greeting);
            var session = new Session();
            var pending = new List<byte>();
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    return;
                }

                connection.Record(buffer.AsSpan(0, n));
                if (session.Tls)
                {
                    // After STLS the client would speak TLS: nothing here is POP3 any more.
                    continue;
                }

                pending.AddRange(buffer.AsSpan(0, n));
                int lf;
                while (!session.Tls && (lf = pending.IndexOf((byte)'\n')) >= 0)
                {
                    var line = Encoding.Latin1.GetString(pending.GetRange(0, lf).ToArray()).TrimEnd('\r');
                    pending.RemoveRange(0, lf + 1);
                    var reply = session.Answer(line);
                    await SendAsync(socket, reply);
                    if (session.Quit)
                    {
                        socket.Shutdown(SocketShutdown.Send);
                        return;
                    }
                }
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // The proxy or the test closed the connection: the transcript so far stands.
        }
        finally
        {
            connection.Close();
            socket.Dispose();
        }
    }

    private static async Task SendAsync(Socket socket, string text)
    {
        var data = Encoding.ASCII.GetBytes(text).AsMemory();
        while (!data.IsEmpty)
        {
            data = data[await socket.SendAsync(data, SocketFlags.None)..];
        }
    }

    /// <summary>One accepted connection: what it received, and when it ended.</summary>
    public sealed class Connection(Socket socket)
    {
        private readonly Lock _lock = new();
        private readonly MemoryStream _received = new();
        private readonly List<(long Count, TaskCompletionSource Reached)> _waiters = [];

        public Socket Socket { get; } = socket;

        public Task Completed { get; set; } = Task.CompletedTask;

        /// <summary>Every byte received, in order.</summary>
        public byte[] Received
        {
            get
            {
                lock (_lock)
                {
                    return _received.ToArray();
                }
            }
        }

        /// <summary>Completes once at least <paramref name="count"/> bytes have arrived in total.</summary>
        public Task WaitForReceivedAsync(long count)
        {
            lock (_lock)
            {
                if (_received.Length >= count)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                return reached.Task.WaitAsync(TestTimeouts.Generous);
            }
        }

        public void Record(ReadOnlySpan<byte> data)
        {
            lock (_lock)
            {
                _received.Write(data);
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_received.Length >= _waiters[i].Count)
                    {
                        _waiters[i].Reached.TrySetResult();
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }

        public void Close()
        {
            lock (_lock)
            {
                foreach (var (count, reached) in _waiters)
                {
                    reached.TrySetException(new EndOfStreamException($"the connection ended after {_received.Length} of {count} bytes"));
                }

                _waiters.Clear();
            }
        }
    }

    /// <summary>The AUTHORIZATION/TRANSACTION state of one connection.</summary>
    private sealed class Session
    {
        private string? _user;
        private bool _loggedIn;
        private bool _plainResponseNext;

        public bool Tls { get; private set; }

        public bool Quit { get; private set; }

        public string Answer(string line)
        {
            if (_plainResponseNext)
            {
                _plainResponseNext = false;
                return line == "*" ? "-ERR authentication cancelled\r\n" : CheckPlain(line);
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
            var argument = space < 0 ? "" : line[(space + 1)..];
            switch (verb)
            {
                case "CAPA":
                    return "+OK Capability list follows\r\nUSER\r\nUIDL\r\n.\r\n";
                case "USER":
                    _user = argument;
                    return "+OK\r\n";
                case "PASS":
                    return Login(_user == User && argument == Password);
                case "APOP":
                    var last = argument.LastIndexOf(' ');
                    return Login(last > 0 && argument[..last] == User && argument[(last + 1)..] == ApopDigest(Password));
                case "AUTH" when argument.Length == 0:
                    return "+OK\r\nPLAIN\r\n.\r\n";
                case "AUTH":
                    var parts = argument.Split(' ', 2);
                    if (!parts[0].Equals("PLAIN", StringComparison.OrdinalIgnoreCase))
                    {
                        return "-ERR unsupported mechanism\r\n";
                    }

                    if (parts.Length == 2)
                    {
                        return CheckPlain(parts[1]);
                    }

                    _plainResponseNext = true;
                    return "+ \r\n";
                case "STLS":
                    Tls = true;
                    return "+OK Begin TLS negotiation\r\n";
                case "STAT":
                    return _loggedIn ? "+OK 1 120\r\n" : "-ERR not logged in\r\n";
                case "LIST":
                    return _loggedIn ? "+OK 1 messages (120 octets)\r\n1 120\r\n.\r\n" : "-ERR not logged in\r\n";
                case "UIDL":
                    return _loggedIn ? "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n.\r\n" : "-ERR not logged in\r\n";
                case "NOOP":
                    return "+OK\r\n";
                case "QUIT":
                    Quit = true;
                    return "+OK bye\r\n";
                default:
                    return "-ERR unknown command\r\n";
            }
        }

        private string Login(bool ok)
        {
            _loggedIn |= ok;
            return ok ? "+OK maildrop locked and ready\r\n" : "-ERR invalid password\r\n";
        }

        private string CheckPlain(string base64)
        {
            var bytes = Encoding.ASCII.GetBytes(base64);
            var decoded = new byte[bytes.Length];
            if (Base64.DecodeFromUtf8(bytes, decoded, out _, out var written) != System.Buffers.OperationStatus.Done)
            {
                return "-ERR bad base64\r\n";
            }

            // RFC 4616: authzid NUL authcid NUL passwd.
            var parts = Encoding.UTF8.GetString(decoded, 0, written).Split('\0');
            return Login(parts.Length == 3 && parts[1] == User && parts[2] == Password);
        }
    }
}
