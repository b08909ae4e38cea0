using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Socks.Core.AccessLog;
using Socks.Core.Metrics;
using Socks.Core.Protocol;

namespace Socks.Core.Server;

/// <summary>
/// One client connection, from accept to its access-log record: handshake, dial, reply, relay.
/// Runs on the thread pool; ends by itself or when <see cref="Abort"/> closes its sockets.
/// </summary>
internal sealed partial class SocksSession : IThreadPoolWorkItem
{
    /// <summary>Largest handshake message (RFC 1929 request: 3 + 255 + 255 bytes) fits twice.</summary>
    private const int HandshakeBufferSize = 1024;

    private readonly ServerContext _context;
    private readonly SocksServer _server;
    private readonly Socket _client;
    private readonly CancellationTokenSource _closed = new();
    private readonly DateTimeOffset _start;
    private readonly SessionTraffic _traffic;
    private Socket? _target;
    private int _abortReason;
    private int _ended;
    private byte[]? _username;

    // What the access log and the metrics record when the session ends.
    private byte[]? _requestedHost;
    private ushort _requestedPort;
    private IPEndPoint? _connected;
    private ReplyCode? _reply;
    private bool _succeeded;
    private SessionEnd _end;
    private string _endReason = "client closed during the handshake";
    private long _clientToTarget;
    private long _targetToClient;

    /// <summary>Creates the session for an accepted client; <see cref="IThreadPoolWorkItem.Execute"/> runs it.</summary>
    /// <param name="id">The server-wide id.</param>
    /// <param name="client">The accepted client socket; the session owns it.</param>
    /// <param name="context">What sessions share.</param>
    /// <param name="server">Told when the session has ended.</param>
    public SocksSession(long id, Socket client, ServerContext context, SocksServer server)
    {
        Id = id;
        _client = client;
        _context = context;
        _server = server;
        _start = context.Options.TimeProvider.GetUtcNow();

        // Registered before the server counts the session as accepted, so every snapshot that counts
        // it sees its bytes (live until Finish moves them into the totals).
        _traffic = context.Metrics.OpenTraffic();
        RemoteEndPoint = client.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
    }

    /// <summary>The server-wide id, as used in logs.</summary>
    public long Id { get; }

    /// <summary>The client's address and port.</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>Cancelled when the session is aborted.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>The RFC 1929 username once authenticated, otherwise null.</summary>
    public byte[]? Username => Volatile.Read(ref _username);

    /// <summary>
    /// Ends the session from outside: cancels <see cref="Closed"/> and closes both sockets, so whatever
    /// the session awaits fails at once. Only the first call counts.
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
        CloseSockets();
        return true;
    }

    /// <inheritdoc/>
    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    private SessionAbortReason AbortReason => (SessionAbortReason)Volatile.Read(ref _abortReason);

    private async Task RunAsync()
    {
        Log.SessionAccepted(_context.Logger, Id, RemoteEndPoint);
        var buffer = ArrayPool<byte>.Shared.Rent(HandshakeBufferSize);
        var handshake = new HandshakeBuffer(buffer);
        try
        {
            // Once per session, here: handshake replies and relayed chunks both go out at once. The
            // dialer sets it on the outbound socket.
            _client.NoDelay = true;
            var request = await HandshakeAsync(handshake).ConfigureAwait(false);
            if (request is not null)
            {
                await ConnectAndRelayAsync(request, handshake).ConfigureAwait(false);
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
        catch (OperationCanceledException) when (AbortReason != SessionAbortReason.None)
        {
            ClassifyFailure(SocketError.OperationAborted);
        }
        catch (Exception exception)
        {
            // A bug of ours: surface it in the log, and still clean up, count and record the session.
            Log.SessionFailed(_context.Logger, Id, exception);
            _endReason = "internal error";
        }
        finally
        {
            handshake.Return();
            Finish();
        }
    }

    private void ClassifyFailure(SocketError error)
    {
        switch (AbortReason)
        {
            case SessionAbortReason.HandshakeTimeout:
                _end = SessionEnd.HandshakeTimeout;
                _endReason = "handshake timeout";
                Log.HandshakeTimedOut(_context.Logger, Id, _context.Options.HandshakeTimeout);
                break;
            case SessionAbortReason.IdleTimeout:
                _end = SessionEnd.IdleTimeout;
                _endReason = "idle timeout";
                break;
            case SessionAbortReason.Shutdown:
                _endReason = "server shutdown";
                break;
            case SessionAbortReason.Revoked:
                _endReason = "user revoked";
                break;
            case SessionAbortReason.None:
                _endReason = $"client connection failed: {error}";
                Log.HandshakeIoError(_context.Logger, Id, error);
                break;
        }
    }

    private void CloseSockets()
    {
        _client.Dispose();
        Volatile.Read(ref _target)?.Dispose();
    }

    private void Finish()
    {
        Volatile.Write(ref _ended, 1);
        // Counted before the sockets close, so a client that sees the close also sees the count;
        // recorded after, so a record means the session's descriptors are gone.
        _context.Metrics.SessionEnded(new SessionOutcome(_succeeded, _reply, _end), _traffic);
        CloseSockets();
        _server.ReleaseSlot();
        _server.AppendRecord(
            new AccessLogRecord
            {
                Start = _start,
                End = _context.Options.TimeProvider.GetUtcNow(),
                Username = Username,
                Client = RemoteEndPoint,
                RequestedHost = _requestedHost,
                RequestedPort = _requestedPort,
                Connected = _connected,
                Reply = _reply,
                BytesClientToTarget = _clientToTarget,
                BytesTargetToClient = _targetToClient,
            },
            Id);
        Log.SessionEnded(_context.Logger, Id, _endReason, _reply is { } reply ? ((byte)reply).ToString("x2", System.Globalization.CultureInfo.InvariantCulture) : "none", _clientToTarget, _targetToClient);
        _server.OnSessionClosed(this);
    }
}
