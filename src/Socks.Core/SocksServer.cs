using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Socks.Core.Metrics;
using Socks.Core.Server;

namespace Socks.Core;

/// <summary>
/// A SOCKS5 server (RFC 1928 CONNECT, BIND and UDP ASSOCIATE, Tor's RESOLVE and RESOLVE_PTR, with RFC 1929 username/password authentication):
/// listens on the endpoints given to <see cref="Start"/>, relays sessions, counts them, and stops
/// gracefully with a deadline.
/// </summary>
public sealed partial class SocksServer : IAsyncDisposable
{
    /// <summary>The budget part of the listening socket and of one client accepted only to be closed at the limit.</summary>
    internal const string ListenerPart = "SOCKS listener";

    private const int ListenerDescriptors = 2;

    private readonly ServerContext _context;
    private readonly DescriptorBudget _budget;
    private readonly ConcurrentDictionary<long, SocksSession> _sessions = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stateLock = new();
    private List<Listener> _listeners = [];
    private IReadOnlyList<IPEndPoint> _localEndPoints = [];
    private Task? _stopTask;
    private long _nextSessionId;
    private int _open;
    private int _slots;
    private int _started;
    private int _disposed;
    private int _stopping;

    /// <summary>Creates a server. Nothing is bound until <see cref="Start"/>.</summary>
    /// <param name="options">The configuration; validated now and not read again if changed later.</param>
    /// <param name="loggerFactory">Where diagnostics go, or null for none.</param>
    /// <param name="meterFactory">Creates the "Socks.Core" meter, or null to create one the server owns.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public SocksServer(SocksServerOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;

        // Sessions must never take the descriptors the runtime needs: they get what the budget leaves, and a
        // configured limit above that is lowered to it (and logged below).
        _budget = options.DescriptorBudget ?? DescriptorBudget.ForCurrentProcess();
        _budget.Reserve(ListenerPart, ListenerDescriptors);
        if (Relay.SpliceRelay.IsChosen(options))
        {
            _budget.Reserve(Relay.SpliceRelay.BudgetPart, Relay.SpliceRelay.Descriptors);
        }

        var budgeted = _budget.MaxSessions;
        var maxConnections = options.MaxConnections > 0 ? Math.Min(options.MaxConnections, budgeted) : budgeted;
        _context = new ServerContext(
            options,
            maxConnections,
            _budget,
            new SocksMetrics(meterFactory),
            loggerFactory.CreateLogger("Socks.Core.Server"),
            loggerFactory.CreateLogger("Socks.Core.Relay"));
        _limitWarning = new WarningThrottle(options.TimeProvider, WarningThrottle.LimitWarningInterval);
        if (options.MaxConnections > maxConnections)
        {
            Log.ConnectionLimitLowered(_context.Logger, options.MaxConnections, maxConnections, _budget.SoftLimit);
        }

        if (options.UserDirectory is { } directory)
        {
            directory.UserRemoved += OnUserRemoved;
        }

        _context.Metrics.Users.Publish(GetUserStatistics);
    }

    /// <summary>
    /// The most client connections open at once: the sessions the descriptor budget
    /// (<see cref="SocksServerOptions.DescriptorBudget"/>) has room for, or
    /// <see cref="SocksServerOptions.MaxConnections"/> when that was set and is not above it.
    /// </summary>
    public int MaxConnections => _context.MaxConnections;

    /// <summary>
    /// The descriptor budget the sessions are admitted against: the one given as
    /// <see cref="SocksServerOptions.DescriptorBudget"/>, or the one the server derived for this process. The
    /// server has added its listener to it (a part named "SOCKS listener", two descriptors: the listening
    /// socket and one client accepted only to be closed at the limit).
    /// </summary>
    public DescriptorBudget DescriptorBudget => _budget;

    /// <summary>The endpoints actually bound by <see cref="Start"/> (port 0 resolved); empty before.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => Volatile.Read(ref _localEndPoints);

    /// <summary>
    /// Binds every endpoint and starts accepting clients. An IPv6 "any" address (<c>[::]</c>) is bound
    /// dual-mode, so it also accepts IPv4 clients.
    /// </summary>
    /// <param name="endpoints">The endpoints to listen on (at least one; port 0 picks a free port).</param>
    /// <exception cref="SocketException">An endpoint could not be bound (for example
    /// <see cref="SocketError.AddressAlreadyInUse"/>); nothing is left bound.</exception>
    /// <exception cref="InvalidOperationException">The server was already started, or stopped.</exception>
    /// <exception cref="ObjectDisposedException">The server was disposed.</exception>
    /// <exception cref="ArgumentException">No endpoint was given.</exception>
    public void Start(IEnumerable<IPEndPoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var requested = endpoints.ToList();
        if (requested.Count == 0)
        {
            throw new ArgumentException("At least one endpoint is required.", nameof(endpoints));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _stopping) != 0)
        {
            throw new InvalidOperationException("The server was stopped.");
        }

        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The server was already started.");
        }

        var bound = new List<Socket>(requested.Count);
        try
        {
            foreach (var endpoint in requested)
            {
                bound.Add(Bind(endpoint, _context.Options.ListenBacklog));
            }
        }
        catch
        {
            foreach (var socket in bound)
            {
                socket.Dispose();
            }

            // A failed start leaves the server as it was: it may be started again.
            Volatile.Write(ref _started, 0);
            throw;
        }

        StartTimerThread();
        var listeners = bound.Select(socket => new Listener(this, socket, (IPEndPoint)socket.LocalEndPoint!)).ToList();
        lock (_stateLock)
        {
            _listeners = listeners;
            Volatile.Write(ref _localEndPoints, listeners.Select(l => l.EndPoint).ToArray());
        }

        foreach (var listener in listeners)
        {
            listener.Loop = Task.Run(() => AcceptLoopAsync(listener));
        }
    }

    /// <summary>
    /// Stops accepting at once (listeners are closed), lets open sessions finish until
    /// <paramref name="drainTimeout"/> has passed, then aborts the rest. Each session still produces
    /// its access-log record. Calling it again waits for the first stop.
    /// </summary>
    /// <param name="drainTimeout">How long open sessions may continue.</param>
    /// <param name="cancellationToken">Cuts the drain short: remaining sessions are aborted at once.</param>
    /// <returns>A task that completes when every session has ended.</returns>
    public Task StopAsync(TimeSpan drainTimeout, CancellationToken cancellationToken = default)
    {
        if (drainTimeout < TimeSpan.Zero && drainTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(drainTimeout), drainTimeout, "Must not be negative.");
        }

        lock (_stateLock)
        {
            _stopTask ??= StopCoreAsync(drainTimeout, cancellationToken);
            return _stopTask;
        }
    }

    /// <summary>Reads the counters as they were at one instant.</summary>
    /// <returns>The snapshot.</returns>
    public SocksMetricsSnapshot GetMetrics() => _context.Metrics.Snapshot();

    /// <summary>
    /// The live statistics of every user that has logged in since start (and was not removed since), ordered by
    /// name (ordinal byte order): sessions open and since start, bytes each way (the access log's byte fields,
    /// counted live for open sessions), last login, denials. Also published on the "Socks.Core" meter with a
    /// <c>socks.user</c> tag. Users that never logged in have no entry.
    /// </summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<UserStatistics> GetUserStatistics() => _context.Metrics.Users.Snapshot(_sessions.Values, QuotaUsedNow);

    /// <summary>The quota count of a user in its current period (the period of its last charge, if that is still current).</summary>
    private long QuotaUsedNow(UserActivity user)
    {
        var key = user.QuotaKey;
        if (key == 0)
        {
            return 0;
        }

        // The key says whether the count is of days or months (QuotaMeter.PeriodKey), so "current" is known without the limits.
        var period = (key & 3) == 1 ? Limits.QuotaPeriod.Day : Limits.QuotaPeriod.Month;
        return user.QuotaUsed(Limits.QuotaMeter.PeriodKey(period, _context.Options.TimeProvider.GetUtcNow()));
    }

    /// <summary>
    /// Aborts every open session (in handshake or relaying) that authenticated as
    /// <paramref name="username"/>, compared byte for byte. Used when a user is revoked; the directory
    /// given as <see cref="SocksServerOptions.UserDirectory"/> triggers it by itself when a user is
    /// removed (on the thread its <see cref="IUserDirectory.UserRemoved"/> is raised on).
    /// </summary>
    /// <param name="username">The RFC 1929 username.</param>
    /// <returns>The number of sessions aborted.</returns>
    public int CloseSessionsOfUser(ReadOnlySpan<byte> username) => CloseSessionsOf(username, SessionAbortReason.Revoked);

    /// <summary>A user's quota ran out (called by a session's quota meter, on a thread-pool thread): its sessions are closed.</summary>
    /// <param name="user">The user.</param>
    internal void OnQuotaUsedUp(UserActivity user)
    {
        var closed = CloseSessionsOf(user.Name, SessionAbortReason.Quota);
        Log.QuotaUsedUp(_context.Logger, HostileText.Escape(user.Name), closed);
    }

    private int CloseSessionsOf(ReadOnlySpan<byte> username, SessionAbortReason reason)
    {
        var closed = 0;
        foreach (var session in _sessions.Values)
        {
            if (session.Username is { } name && username.SequenceEqual(name) && session.Abort(reason))
            {
                closed++;
            }
        }

        return closed;
    }

    /// <summary>Stops at once (no drain) and releases the meter when the server owns it.</summary>
    /// <returns>A task that completes when every session has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        if (_context.Options.UserDirectory is { } directory)
        {
            directory.UserRemoved -= OnUserRemoved;
        }

        _context.Metrics.Users.RetireAll();
        _context.Metrics.Dispose();
        (_context.Relay as IDisposable)?.Dispose();
    }

    /// <summary>
    /// Makes the runtime start its timer thread now. It is started lazily by the first timer, and a
    /// thread cannot start while the process is out of descriptors (Thread.Start throws
    /// OutOfMemoryException), so a first session arriving in a descriptor shortage would fail.
    /// </summary>
    private static void StartTimerThread()
    {
        using var timer = TimeProvider.System.CreateTimer(static _ => { }, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
    }

    private static Socket Bind(IPEndPoint endpoint, int backlog)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task StopCoreAsync(TimeSpan drainTimeout, CancellationToken cancellationToken)
    {
        // Keep this method's continuations off the caller's stack (it may hold _stateLock).
        await Task.Yield();
        Volatile.Write(ref _stopping, 1);
        List<Listener> listeners;
        lock (_stateLock)
        {
            listeners = _listeners;
            _listeners = [];
        }

        foreach (var listener in listeners)
        {
            listener.Socket.Dispose();
        }

        foreach (var listener in listeners)
        {
            if (listener.Loop is { } loop)
            {
                await loop.ConfigureAwait(false);
            }
        }

        // No accept loop runs any more, so _open only goes down from here.
        if (Volatile.Read(ref _open) == 0)
        {
            _drained.TrySetResult();
        }

        if (!_drained.Task.IsCompleted)
        {
            Log.Draining(_context.Logger, Volatile.Read(ref _open), drainTimeout);
            try
            {
                await _drained.Task.WaitAsync(drainTimeout, _context.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The deadline passed: abort what is left, below.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The caller cut the drain short: abort what is left, below.
            }
        }

        if (!_drained.Task.IsCompleted)
        {
            Log.DrainAborting(_context.Logger, Volatile.Read(ref _open));
            foreach (var session in _sessions.Values)
            {
                session.Abort(SessionAbortReason.Shutdown);
            }

            // Aborted sessions end promptly: their sockets are closed and their token cancelled.
            await _drained.Task.ConfigureAwait(false);
        }
    }

    private void OnUserRemoved(object? sender, Users.UserRemovedEventArgs e)
    {
        // The user's statistics go with the user (a user added again starts from zero).
        _context.Metrics.Users.Remove(e.Username.Span);
        var closed = CloseSessionsOfUser(e.Username.Span);
        if (closed > 0)
        {
            Log.SessionsRevoked(_context.Logger, closed);
        }
    }

    /// <summary>Called by a session once its sockets are closed: its place under the connection limit and its descriptors are free.</summary>
    /// <param name="extraDescriptors">The descriptors its command charged beyond <see cref="DescriptorBudget.DescriptorsPerSession"/>.</param>
    internal void ReleaseSlot(int extraDescriptors)
    {
        _budget.Release(DescriptorBudget.DescriptorsPerSession + extraDescriptors);
        Interlocked.Decrement(ref _slots);
    }

    /// <summary>Gives back a place of <see cref="TryTakeSlot"/> (its descriptors are charged and released by the session).</summary>
    internal void ReleaseExtraSlot() => Interlocked.Decrement(ref _slots);

    /// <summary>Takes one more place under the connection limit for a session that holds more descriptors (a UDP association).</summary>
    /// <returns>False when the server is full; nothing was taken.</returns>
    internal bool TryTakeSlot()
    {
        if (Interlocked.Increment(ref _slots) > _context.MaxConnections)
        {
            Interlocked.Decrement(ref _slots);
            return false;
        }

        return true;
    }

    /// <summary>Called by a session when it has completely ended (record written, sockets closed).</summary>
    /// <param name="session">The session.</param>
    internal void OnSessionClosed(SocksSession session)
    {
        _sessions.TryRemove(session.Id, out _);
        var open = Interlocked.Decrement(ref _open);
        if (open == 0 && Volatile.Read(ref _stopping) != 0)
        {
            _drained.TrySetResult();
        }
    }
}
