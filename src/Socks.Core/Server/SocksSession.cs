using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Socks.Core.AccessLog;
using Socks.Core.Metrics;
using Socks.Core.Protocol;

namespace Socks.Core.Server;

/// <summary>
/// One client connection, from accept to its access-log record: handshake, command (dispatched to its handler),
/// record. Started by the accept loop; ends by itself or when <see cref="Abort"/> closes its sockets.
/// </summary>
internal sealed partial class SocksSession
{
    /// <summary>Largest handshake message (RFC 1929 request: 3 + 255 + 255 bytes) fits twice.</summary>
    private const int HandshakeBufferSize = 1024;

    private readonly ServerContext _context;
    private readonly SocksServer _server;
    private readonly Socket _client;
    private readonly CancellationTokenSource _closed = new();
    private readonly SessionTraffic _traffic;
    private Socket? _target;
    private int _abortReason;
    private int _ended;
    private int _extraDescriptors;

    // How the session ends: the reason (set where the session learns it), the reply sent, the address connected.
    private SessionOutcome _end = new(SessionEndReason.ClientClosedInHandshake);
    private ReplyCode? _reply;
    private bool _firstReplyOnly;
    private IPEndPoint? _connected;
    private byte[]? _rejectedUsername;
    private long _clientToTarget;
    private long _targetToClient;

    // The user's live counters once authenticated; the relay's bytes are read live until Finish commits them.
    private UserActivity? _user;
    private bool _admitted;
    private IDisposable? _lease;
    private SessionEndReason? _userRefusal;
    private Limits.DirectionThrottle? _throttleUp;
    private Limits.DirectionThrottle? _throttleDown;
    private Limits.QuotaMeter? _quota;
    private bool _userBytesCommitted;
    private bool _relaying;
    private long _downAtRelayStart;

    /// <summary>Creates the session for an accepted client; <see cref="Start"/> runs it.</summary>
    /// <param name="id">The server-wide id.</param>
    /// <param name="client">The accepted client socket; the session owns it.</param>
    /// <param name="context">What sessions share.</param>
    /// <param name="server">Told when the session has ended.</param>
    public SocksSession(long id, Socket client, ServerContext context, SocksServer server)
    {
        _client = client;
        _context = context;
        _server = server;
        Context = new SessionContext(
            id,
            client.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0),
            client.LocalEndPoint as IPEndPoint,
            context.Options.TimeProvider,
            _closed.Token);

        // Registered before the server counts the session as accepted, so every snapshot that counts
        // it sees its bytes (live until Finish moves them into the totals).
        _traffic = context.Metrics.OpenTraffic();
    }

    /// <summary>The server's counters, for the command handlers.</summary>
    public SocksMetrics Metrics => _context.Metrics;

    /// <summary>What the seams see of this session.</summary>
    public SessionContext Context { get; }

    /// <summary>The server-wide id, as used in logs.</summary>
    public long Id => Context.Id;

    /// <summary>The client's address and port.</summary>
    public IPEndPoint RemoteEndPoint => Context.Client;

    /// <summary>The client's endpoint for a diagnostic line: an IPv4 peer of a dual-stack listener as plain IPv4, as the access log writes it.</summary>
    private IPEndPoint ClientForLog => RemoteEndPoint.Address.IsIPv4MappedToIPv6
        ? new IPEndPoint(RemoteEndPoint.Address.MapToIPv4(), RemoteEndPoint.Port)
        : RemoteEndPoint;

    /// <summary>Cancelled when the session is aborted.</summary>
    public CancellationToken Closed => Context.Closed;

    /// <summary>The RFC 1929 username once authenticated, otherwise null.</summary>
    public byte[]? Username => Context.UsernameBytes;

    /// <summary>The live counters of the session's user, once authenticated; otherwise null.</summary>
    public UserActivity? User => Volatile.Read(ref _user);

    /// <summary>True once the session's relayed bytes are in its user's totals (no longer to be read live).</summary>
    public bool UserBytesCommitted => Volatile.Read(ref _userBytesCommitted);

    /// <summary>Bytes relayed client to target so far (what the access log will record).</summary>
    public long LiveBytesUp => Volatile.Read(ref _relaying) ? _traffic.TargetSent : 0;

    /// <summary>Bytes relayed target to client so far (what the access log will record).</summary>
    public long LiveBytesDown => Volatile.Read(ref _relaying) ? _traffic.ClientSent - Volatile.Read(ref _downAtRelayStart) : 0;

    /// <summary>True once the session was aborted from outside.</summary>
    public bool IsAborted => AbortReason != SessionAbortReason.None;

    private SessionAbortReason AbortReason => (SessionAbortReason)Volatile.Read(ref _abortReason);

    /// <summary>
    /// Ends the session from outside: cancels <see cref="Closed"/> and closes both sockets, so whatever
    /// the session awaits fails at once. Only the first call counts. An idle timeout closes gracefully: both
    /// legs are shut down (FIN after what the kernel already holds, never RST) and closed when the relay is over.
    /// </summary>
    /// <param name="reason">Why.</param>
    /// <returns>True when this call aborted the session.</returns>
    public bool Abort(SessionAbortReason reason)
    {
        // A session that is already closing is not counted as aborted (revocation counts sessions).
        if (Volatile.Read(ref _ended) != 0
            || Interlocked.CompareExchange(ref _abortReason, (int)reason, (int)SessionAbortReason.None) != (int)SessionAbortReason.None)
        {
            return false;
        }

        _closed.Cancel();
        AbortSockets();
        return true;
    }

    /// <summary>
    /// Charges descriptors beyond the <see cref="DescriptorBudget.DescriptorsPerSession"/> every session holds to the
    /// server's <see cref="DescriptorBudget"/>: a command calls it before it opens another socket for this session
    /// (BIND's listener, UDP ASSOCIATE's relay socket) and answers X'01' general failure when it returns false.
    /// What is charged is given back when the session has closed its sockets (they must be closed by then).
    /// </summary>
    /// <param name="descriptors">How many more (at least 1).</param>
    /// <returns>True when charged; false when the budget has no room (nothing charged).</returns>
    public bool TryChargeDescriptors(int descriptors)
    {
        if (!_context.Budget.TryAcquire(descriptors))
        {
            return false;
        }

        Interlocked.Add(ref _extraDescriptors, descriptors);
        return true;
    }

    /// <summary>Records why the session ends; the last call before the session ends wins.</summary>
    /// <param name="end">The reason and its details (the reply and the command are added when the session ends).</param>
    public void SetEnd(SessionOutcome end) => _end = end;

    /// <summary>
    /// Runs the session on the calling thread until its first wait (usually the greeting's receive), then on whatever
    /// thread completes its socket operations. Never throws: every failure ends in the session's own record.
    /// </summary>
    public void Start() => _ = RunAsync();

    private async Task RunAsync()
    {
        Log.SessionAccepted(_context.Logger, Id, RemoteEndPoint);
        var buffer = ArrayPool<byte>.Shared.Rent(HandshakeBufferSize);
        var handshake = new HandshakeBuffer(buffer);
        try
        {
            // Once per session, here: handshake replies and relayed chunks both go out at once. The
            // connector sets it on the outbound socket.
            _client.NoDelay = true;

            // Sends of handshake replies are tried without waiting first (SendAsync); receives stay asynchronous.
            _client.Blocking = false;
            var started = Stopwatch.GetTimestamp();
            var handler = await HandshakeAsync(handshake).ConfigureAwait(false);
            if (handler is not null)
            {
                _context.Metrics.HandshakeCompleted(Stopwatch.GetElapsedTime(started));
                await handler.ExecuteAsync(this, handshake).ConfigureAwait(false);
            }
        }
        catch (SocketException exception)
        {
            ClassifyFailure(exception.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            ClassifyFailure(SocketError.OperationAborted);
        }
        catch (OperationCanceledException) when (IsAborted)
        {
            ClassifyFailure(SocketError.OperationAborted);
        }
        catch (Exception exception)
        {
            // A bug of ours: surface it in the log, and still clean up, count and record the session.
            Log.SessionFailed(_context.Logger, Id, exception);
            SetEnd(new SessionOutcome(SessionEndReason.InternalError));
        }
        finally
        {
            handshake.Return();
            Finish();
        }
    }

    /// <summary>Sets the end reason after the session's I/O failed or was aborted from outside.</summary>
    /// <param name="error">The error of the client's socket, when not aborted.</param>
    private void ClassifyFailure(SocketError error)
    {
        switch (AbortReason)
        {
            case SessionAbortReason.HandshakeTimeout:
                SetEnd(new SessionOutcome(SessionEndReason.HandshakeTimeout));
                Log.HandshakeTimedOut(_context.Logger, Id, _context.Options.HandshakeTimeout);
                break;
            case SessionAbortReason.IdleTimeout:
                SetEnd(new SessionOutcome(SessionEndReason.IdleTimeout));
                break;
            case SessionAbortReason.Shutdown:
                SetEnd(new SessionOutcome(SessionEndReason.Shutdown));
                break;
            case SessionAbortReason.Revoked:
                SetEnd(new SessionOutcome(SessionEndReason.Revoked));
                break;
            case SessionAbortReason.Quota:
                SetEnd(new SessionOutcome(SessionEndReason.QuotaCut));
                break;
            case SessionAbortReason.None:
                SetEnd(new SessionOutcome(SessionEndReason.ClientFailed) { Error = error });
                Log.HandshakeIoError(_context.Logger, Id, error);
                break;
        }
    }

    /// <summary>
    /// Makes whatever the session awaits on its sockets return: disposes them (the runtime resets a connection
    /// closed under a pending operation), or, for an idle timeout, shuts them down so that each peer gets a FIN
    /// after what the kernel already holds for it, and pending operations end (a read with EOF, a write with an
    /// error) while the descriptors stay open until the session closes them. A leg whose peer sent bytes that
    /// were never relayed still gets RST at that close: the kernel's way to tell it they were not taken.
    /// </summary>
    private void AbortSockets()
    {
        if (AbortReason == SessionAbortReason.IdleTimeout)
        {
            ShutDown(_client);
            if (Volatile.Read(ref _target) is { } target)
            {
                ShutDown(target);
            }
        }
        else
        {
            CloseSockets();
        }
    }

    private void CloseSockets()
    {
        _client.Dispose();
        Volatile.Read(ref _target)?.Dispose();
    }

    private static void ShutDown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Already reset, closed or never connected: nothing left to end gracefully.
        }
    }

    /// <summary>
    /// Moves the session's relayed bytes into its user's totals, before its record is written, and counts a refusal
    /// (the access-log reasons denied, user-limit, quota for a refused request) as one of the user's denials.
    /// </summary>
    private void CommitUserBytes(in SessionOutcome outcome)
    {
        if (_user is not { } user)
        {
            return;
        }

        if (outcome.Reason is SessionEndReason.Denied or SessionEndReason.BindPeerMismatch or SessionEndReason.UserLimit or SessionEndReason.QuotaExceeded)
        {
            user.Denied();
        }

        var users = _context.Metrics.Users;
        users.BeginCommit();
        user.AddClosed(_clientToTarget, _targetToClient);
        Volatile.Write(ref _userBytesCommitted, true);
        users.EndCommit();
        if (_admitted)
        {
            user.Leave();
        }

        Interlocked.Exchange(ref _lease, null)?.Dispose();

        _throttleUp?.Release();
        _throttleDown?.Release();
    }

    private void Finish()
    {
        Volatile.Write(ref _ended, 1);

        // The one place the outcome is completed; the metrics, the record and the log line all read it.
        var outcome = _end with { Reply = _reply, FirstReplyOnly = _firstReplyOnly, Command = Context.Request?.Command };

        // Counted before the sockets close, so a client that sees the close also sees the count;
        // recorded after, so a record means the session's descriptors are gone.
        _context.Metrics.SessionEnded(outcome, _traffic);
        CommitUserBytes(outcome);
        CloseSockets();
        _server.ReleaseSlot(Volatile.Read(ref _extraDescriptors));
        _server.AppendRecord(
            new AccessLogRecord
            {
                Start = Context.Start,
                End = _context.Options.TimeProvider.GetUtcNow(),
                Username = Username ?? _rejectedUsername,
                Client = RemoteEndPoint,
                RequestedHost = Context.Request?.HostBytes,
                RequestedPort = Context.Request?.Port ?? 0,
                Connected = _connected,
                Reply = outcome.Reply,
                Command = (SocksCommand?)outcome.Command,
                EndReason = outcome.ToAccessLogReason(),
                BytesClientToTarget = _clientToTarget,
                BytesTargetToClient = _targetToClient,
                Udp = _udp,
                DeniedByRule = outcome.Reason == SessionEndReason.Denied ? Context.DeniedByRule : null,
            },
            Id);
        if (_context.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            // The texts are built only when someone reads them: this runs once per session.
            Log.SessionEnded(_context.Logger, Id, outcome.Describe(), outcome.Reply is { } reply ? ((byte)reply).ToString("x2", System.Globalization.CultureInfo.InvariantCulture) : "none", _clientToTarget, _targetToClient);
        }
        _server.OnSessionClosed(this);
    }
}
