using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace ProxyHost.Management;

/// <summary>
/// The MCP listener of socks5d: accepts admin connections and serves GET_METRICS, LIST_USERS, ADD_USER, REMOVE_USER,
/// TOGGLE_DISECTOR and the extensions GET_DISSECTOR and SET_DISSECTOR on them against an <see cref="IManagementBackend"/> (MCP memo; docs/mcp-protocol.md §7, §8; Management/README.md).
/// </summary>
/// <remarks>
/// <para><b>Connections.</b> Persistent: a connection carries any number of requests, pipelined or not, split across
/// segments or not; the answers come back in request order. A malformed frame is answered ERROR and the connection
/// keeps serving (the rest of the frame is skipped); a frame with an unknown VER is answered ERROR and the connection
/// is closed; an unknown CMD is answered CMD_NOT_SUPPORTED and the connection keeps serving.</para>
/// <para><b>Limits.</b> At most <see cref="McpManagementOptions.MaxConnections"/> connections are served at once.
/// When a new client arrives at the limit, it is first looked up (a client that would not be served is closed at
/// once and replaces nobody); then it takes the slot of the connection that has been idle (waiting between requests)
/// the longest; if none is idle, the slot of the newest connection if that one is stalled in the middle of a frame
/// (the spare slot: 64 clients that each send half a frame cannot keep out a new administrator); otherwise it is
/// accepted and closed at once without a response (the client reads EOF, or a reset if it had already sent its
/// request), like the SOCKS listener at its limit. Only one client beyond the limit is looked up at a time; others
/// arriving meanwhile are closed at once. So the listener never holds more than <see cref="DescriptorOverhead"/>
/// descriptors beyond one per connection, which is what the process's descriptor budget counts for MCP. A connection that has started on a request (parsing, in the
/// backend, sending answers) is never replaced. A frame, once begun, must be complete within
/// <see cref="McpManagementOptions.FrameTimeout"/>; a connection that makes no progress for
/// <see cref="McpManagementOptions.IdleTimeout"/> (no request byte arrives, or the client does not take its
/// responses) is closed. Each connection holds at most one frame plus one read buffer of requests and one batch of
/// responses (<see cref="McpConnection"/>).</para>
/// <para><b>Isolation.</b> Every connection runs on its own task with asynchronous socket I/O only, so a stalled or
/// flooding admin client, or a slow ADD_USER, delays nobody else; nothing here runs on the SOCKS relay's tasks.</para>
/// <para><b>Who is served.</b> Before reading anything, each connection learns its client's uid from the kernel
/// (<see cref="McpPeerIdentity"/>) and serves it only if <see cref="McpManagementOptions.Clients"/> admits it; a refused
/// client gets one ERROR and is closed (<see cref="McpConnection"/>). The listener is a TCP endpoint or a Unix socket
/// (<see cref="UnixSocketListener"/>).</para>
/// </remarks>
internal sealed class McpManagementServer : IAsyncDisposable, IAcceptLoopHandler
{
    /// <summary>
    /// Descriptors MCP holds besides one per connection: the listening socket, the one client beyond the limit being
    /// looked up (its socket is open before the connection it replaces is closed), and the socket table read to
    /// identify a TCP client (one at a time, <see cref="TcpSocketTable"/>).
    /// </summary>
    public const int DescriptorOverhead = 3;

    private const int New = 0;
    private const int Running = 1;
    private const int Stopped = 2;

    private readonly IManagementBackend _backend;
    private readonly McpManagementOptions _options;
    private readonly ILogger<McpManagementServer> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, McpConnection> _connections = new();
    private readonly Lock _stateLock = new();
    private readonly Lock _admission = new();
    private readonly McpLogThrottles _throttles;
    private int _slots;
    private int _admittingAtLimit;
    private int _state;
    private Socket? _listener;
    private IPEndPoint? _localEndPoint;
    private string? _socketPath;
    private string _display = "";
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextConnectionId;

    /// <summary>Creates a listener; nothing is bound until <see cref="Start"/>.</summary>
    /// <param name="backend">The state the commands read and change.</param>
    /// <param name="options">The limits.</param>
    /// <param name="logger">Diagnostics.</param>
    /// <param name="time">The clock for idle timeouts; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="backend"/>, <paramref name="options"/> or <paramref name="logger"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <see cref="McpManagementOptions.IdleTimeout"/> or <see cref="McpManagementOptions.FrameTimeout"/> is not positive (nor infinite), or
    /// <see cref="McpManagementOptions.MaxConnections"/> is less than 1.
    /// </exception>
    public McpManagementServer(
        IManagementBackend backend,
        McpManagementOptions options,
        ILogger<McpManagementServer> logger,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.IdleTimeout <= TimeSpan.Zero && options.IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.IdleTimeout, "IdleTimeout must be positive or infinite.");
        }

        if (options.FrameTimeout <= TimeSpan.Zero && options.FrameTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FrameTimeout, "FrameTimeout must be positive or infinite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnections, 1, nameof(options));
        _backend = backend;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _throttles = new McpLogThrottles(_time);
    }

    /// <summary>Gets the address and port the TCP listener is bound to (the real port when started on port 0).</summary>
    /// <exception cref="InvalidOperationException">The listener has not been started, or listens on a Unix socket.</exception>
    public IPEndPoint LocalEndPoint => _localEndPoint ?? throw new InvalidOperationException(
        _socketPath is null ? "The MCP listener has not been started." : "The MCP listener is on a Unix socket.");

    /// <summary>Gets the bound TCP endpoint once <see cref="Start"/> succeeded (kept after a stop), or null before and for a Unix socket.</summary>
    internal IPEndPoint? BoundEndPoint => Volatile.Read(ref _localEndPoint);

    /// <summary>Gets the path of the Unix socket once started on one, or null.</summary>
    internal string? SocketPath => Volatile.Read(ref _socketPath);

    /// <summary>Gets the most admin connections served at once (<see cref="McpManagementOptions.MaxConnections"/>).</summary>
    internal int MaxConnections => _options.MaxConnections;

    /// <summary>Gets live counters (connections, bytes, buffered memory).</summary>
    internal McpManagementStatistics Statistics { get; } = new();

    /// <summary>Binds <paramref name="endpoint"/>, listens, and starts accepting admin connections in the background.</summary>
    /// <param name="endpoint">
    /// The address and port to listen on (port 0 lets the system choose, see <see cref="LocalEndPoint"/>), or a
    /// <see cref="UnixDomainSocketEndPoint"/> with an absolute path (created with mode 0660, see <see cref="UnixSocketListener"/>).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="endpoint"/> is neither an <see cref="IPEndPoint"/> nor a Unix socket endpoint.</exception>
    /// <exception cref="InvalidOperationException">The listener was already started, or has been stopped.</exception>
    /// <exception cref="SocketException">
    /// The endpoint cannot be bound (e.g. <see cref="SocketError.AddressAlreadyInUse"/>,
    /// <see cref="SocketError.AddressNotAvailable"/>, <see cref="SocketError.AccessDenied"/>); the listener can be
    /// started again on another endpoint.
    /// </exception>
    /// <exception cref="IOException">
    /// The Unix socket cannot be set up (<see cref="McpListenerException"/>: no such directory, in use, not a socket).
    /// </exception>
    public void Start(EndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        lock (_stateLock)
        {
            if (_state != New)
            {
                throw new InvalidOperationException(_state == Running
                    ? "The MCP listener is already started."
                    : "The MCP listener has been stopped; create a new one.");
            }

            var replacedStale = false;
            Socket listener;
            if (endpoint is UnixDomainSocketEndPoint unix)
            {
                var path = unix.ToString();
                listener = UnixSocketListener.Listen(path, out replacedStale);
                Volatile.Write(ref _socketPath, path);
                _display = "unix:" + path;
            }
            else if (endpoint is IPEndPoint ip)
            {
                listener = ListenTcp(ip);
                Volatile.Write(ref _localEndPoint, (IPEndPoint)listener.LocalEndPoint!);
                _display = _localEndPoint!.ToString();
            }
            else
            {
                throw new ArgumentException($"MCP listens on an IP endpoint or a Unix socket, not on {endpoint.GetType().Name}.", nameof(endpoint));
            }

            _listener = listener;
            _state = Running;
            _acceptLoop = Task.Run(new AcceptLoop(listener, this, _time, _options.Acceptor).RunAsync);
            if (replacedStale)
            {
                Log.StaleSocketReplaced(_logger, _display);
            }
        }

        Log.Listening(_logger, _display, _options.MaxConnections, _options.IdleTimeout, _options.FrameTimeout, _options.Clients.Describe());
    }

    /// <summary>
    /// Stops accepting, closes every admin connection at once (cancelling reads, writes and backend calls in
    /// progress) and waits until they are closed. Connections still inside a backend call that ignores
    /// cancellation are left to finish on their own when <paramref name="cancellationToken"/> fires. Does nothing
    /// when the listener is not running.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait for connections to close (the stop deadline).</param>
    /// <returns>A task that completes when the listener and its connections are closed, or the deadline passed.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Socket listener;
        lock (_stateLock)
        {
            if (_state != Running)
            {
                _state = Stopped;
                return;
            }

            _state = Stopped;
            listener = _listener!;
        }

        // After the accept loop has ended only a client admitted at the limit can still be added, and that is decided
        // under the admission lock, which sees the state: so the snapshot below is complete.
        listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        McpConnection[] connections;
        lock (_admission)
        {
            connections = [.. _connections.Values];
        }

        foreach (var connection in connections)
        {
            connection.Abort(McpCloseReason.ServerStopping);
        }

        try
        {
            await Task.WhenAll(connections.Select(c => c.Closed)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The deadline is the caller's to set; what is left is logged, not thrown at a host that is exiting.
            Log.StopIncomplete(_logger, connections.Count(c => !c.Closed.IsCompleted));
        }

        // For a Unix socket, disposing the listener above also removed its file (the runtime unlinks a bound path).
        Log.Stopped(_logger, _display);
    }

    /// <summary>Same as <see cref="StopAsync"/> without a deadline.</summary>
    /// <returns>A task that completes when the listener and its connections are closed.</returns>
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    /// <inheritdoc />
    bool IAcceptLoopHandler.IsStopping => Volatile.Read(ref _state) != Running;

    /// <inheritdoc />
    void IAcceptLoopHandler.OnAccepted(Socket client) => Dispatch(client);

    /// <inheritdoc />
    void IAcceptLoopHandler.OnAcceptFailing(SocketError error, TimeSpan backoff) =>
        Log.AcceptFailed(_logger, _display, error, (long)backoff.TotalMilliseconds);

    /// <inheritdoc />
    void IAcceptLoopHandler.OnAcceptRecovered(long failures) => Log.AcceptRecovered(_logger, _display, failures);

    private static Socket ListenTcp(IPEndPoint endpoint)
    {
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                // [::] means every interface, IPv4 included, as for the SOCKS listener (-l ::).
                listener.DualMode = true;
            }

            listener.Bind(endpoint);
            listener.Listen();
            return listener;
        }
        catch
        {
            // Not swallowed: the SocketException reaches the host, which reports it in one line.
            listener.Dispose();
            throw;
        }
    }

    private void Dispatch(Socket client)
    {
        lock (_admission)
        {
            if (_slots < _options.MaxConnections)
            {
                _slots++;
                Open(client, identified: null);
                return;
            }
        }

        // At the limit: who the client is decides whether it may take someone's place, and looking it up reads the
        // kernel's socket table, which is not for the accept loop to do. One such client at a time: the descriptor
        // budget has one descriptor for a client beyond the limit, so a flood of them is closed at once instead of
        // piling up sockets while they wait to be looked up.
        if (Interlocked.CompareExchange(ref _admittingAtLimit, 1, 0) != 0)
        {
            Reject(client);
            return;
        }

        _ = Task.Run(() =>
        {
            try
            {
                AdmitAtLimit(client);
            }
            finally
            {
                Volatile.Write(ref _admittingAtLimit, 0);
            }
        });
    }

    private void AdmitAtLimit(Socket client)
    {
        var peer = McpPeerIdentity.Identify(client, _socketPath);

        // The lookup is done: the next client beyond the limit may be looked up. Cleared before this client is
        // answered or served, so an administrator who reconnects right after it is never refused for it.
        Volatile.Write(ref _admittingAtLimit, 0);
        if (!_options.Clients.Admits(peer))
        {
            // It would only be refused: it replaces nobody, and is closed at once like any client beyond the limit.
            Reject(client, peer.Client);
            return;
        }

        McpConnection? replaced = null;
        var state = "";
        lock (_admission)
        {
            if (Volatile.Read(ref _state) != Running)
            {
                client.Dispose();
                return;
            }

            if (_slots < _options.MaxConnections)
            {
                // A connection ended while the client was looked up.
                _slots++;
            }
            else
            {
                replaced = FindReplaceable(out state);
                if (replaced is null)
                {
                    Reject(client, peer.Client);
                    return;
                }

                replaced.SlotHandedOver = true;
            }

            Open(client, peer);
        }

        if (replaced is not null)
        {
            Statistics.ConnectionReplaced();
            if (_throttles.Replaced.TryWarn())
            {
                Log.ConnectionReplaced(_logger, _options.MaxConnections, replaced.Id, replaced.Peer.Client, state, peer.Client);
            }
        }
    }

    /// <summary>
    /// Under the admission lock: takes over the connection idle the longest, or else the newest if it is stalled in
    /// the middle of a frame (the spare slot). A connection that is busy with a request is never taken.
    /// </summary>
    private McpConnection? FindReplaceable(out string state)
    {
        McpConnection? newest = null;
        var idle = new List<(long Since, McpConnection Connection)>();
        foreach (var connection in _connections.Values)
        {
            if (connection.SlotHandedOver)
            {
                continue;
            }

            if (connection.IsIdle(out var since))
            {
                idle.Add((since, connection));
            }

            if (newest is null || connection.Id > newest.Id)
            {
                newest = connection;
            }
        }

        // Oldest first; one that starts on a request meanwhile refuses (TryReplace), and the next is asked.
        foreach (var (_, connection) in idle.OrderBy(c => c.Since).ThenBy(c => c.Connection.Id))
        {
            if (connection.TryReplace(midFrame: false, out state))
            {
                return connection;
            }
        }

        if (newest is not null && newest.TryReplace(midFrame: true, out state))
        {
            return newest;
        }

        state = "";
        return null;
    }

    /// <summary>Under the admission lock, with a slot for it: sets the connection up and starts it.</summary>
    private void Open(Socket client, McpPeer? identified)
    {
        if (client.AddressFamily != AddressFamily.Unix)
        {
            // MCP frames are small request/response messages that Nagle would only delay (a Unix socket has no Nagle).
            client.NoDelay = true;
        }

        var connection = new McpConnection(
            Interlocked.Increment(ref _nextConnectionId), client, _socketPath, _backend, _options, _logger, _time, Statistics, _throttles, identified,
            OnConnectionClosed);
        _connections[connection.Id] = connection;
        Statistics.ConnectionOpened();
        Statistics.ConnectionStarted();

        // Each connection on its own task, never on the accept loop: it first looks its client up (a read of the
        // kernel's socket table) unless that was done already, then serves or refuses it. RunAsync never throws;
        // its ending is in the log.
        _ = Task.Run(connection.RunAsync);
    }

    private void OnConnectionClosed(McpConnection connection)
    {
        lock (_admission)
        {
            _connections.TryRemove(connection.Id, out _);
            if (!connection.SlotHandedOver)
            {
                _slots--;
            }
        }

        Statistics.ConnectionClosed();
    }

    private void Reject(Socket client, string? remote = null)
    {
        remote ??= _socketPath is null ? client.RemoteEndPoint?.ToString() ?? "unknown" : _display;
        Statistics.ConnectionRejected();
        Log.ConnectionRejected(_logger, remote, _options.MaxConnections);

        // At most one warning per interval, however often the limit is hit.
        if (_throttles.ConnectionLimit.TryWarn())
        {
            Log.ConnectionLimitReached(_logger, _options.MaxConnections);
        }

        // Closed without reading or writing anything, as the SOCKS listener does at its limit: the client sees EOF
        // at once (or a reset if its request had already arrived) instead of waiting in the backlog.
        client.Dispose();
    }
}
