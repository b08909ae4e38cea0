using System.Net;
using System.Net.Sockets;
using Socks.Core.AccessLog;
using Socks.Core.Server;

namespace Socks.Core;

/// <summary>The accept loops and the connection limit.</summary>
public sealed partial class SocksServer
{
    private readonly WarningThrottle _limitWarning;
    private int _atLimit;

    private Task AcceptLoopAsync(Listener listener) =>
        new AcceptLoop(listener.Socket, listener, _context.Options.TimeProvider, _context.Options.Acceptor).RunAsync();

    private void Dispatch(Socket client)
    {
        // The budget is asked before anything is set up for the client: a session that would take descriptors the
        // runtime or another part needs is closed at once, like one past the configured limit.
        if (Interlocked.Increment(ref _slots) > _context.MaxConnections || !_budget.TryAcquire(DescriptorBudget.DescriptorsPerSession))
        {
            Interlocked.Decrement(ref _slots);
            RejectAtLimit(client);
            return;
        }

        Interlocked.Increment(ref _open);

        if (Volatile.Read(ref _atLimit) != 0 && Interlocked.Exchange(ref _atLimit, 0) != 0)
        {
            Log.ConnectionLimitCleared(_context.Logger, _context.Metrics.Snapshot().RejectedAtLimit);
        }

        var id = Interlocked.Increment(ref _nextSessionId);
        var session = new SocksSession(id, client, _context, this);
        _sessions[id] = session;
        _context.Metrics.SessionAccepted();

        // Started here, on the accept loop's thread, up to its first wait: a receive whose data has not arrived, or a
        // derivation, which the verifier starts on the thread pool. Handing each client to the thread pool instead
        // cost a queued work item and a worker's wake-up (and its spinning) per connection.
        session.Start();
    }

    private void RejectAtLimit(Socket client)
    {
        var timeProvider = _context.Options.TimeProvider;
        var now = timeProvider.GetUtcNow();
        var remote = client.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);

        // Counted before the close, so a client that sees the close also sees it counted. Closing
        // without reading anything: the client sees EOF (or a reset if it already sent its greeting)
        // at once, instead of waiting in the backlog.
        _context.Metrics.ConnectionRejectedAtLimit();
        client.Dispose();
        AppendRecord(new AccessLogRecord { Start = now, End = now, Client = remote, EndReason = AccessLogEndReason.ConnectionLimit }, sessionId: 0);

        // At most one warning per interval, and one "cleared" line per warning, however the load flaps.
        if (_limitWarning.TryWarn())
        {
            Log.ConnectionLimitReached(_context.Logger, _context.MaxConnections);
            Volatile.Write(ref _atLimit, 1);
        }
    }

    /// <summary>Hands a finished session's record to the access log, if any; a failing sink is logged, not fatal.</summary>
    /// <param name="record">The record.</param>
    /// <param name="sessionId">The session, for the log (0 for a connection rejected at the limit).</param>
    internal void AppendRecord(AccessLogRecord record, long sessionId)
    {
        if (_context.Options.AccessLog is not { } sink)
        {
            return;
        }

        try
        {
            sink.Append(record);
        }
        catch (Exception exception)
        {
            // The sink is someone else's code on our session path: one lost record must not take
            // the session's cleanup (or the accept loop) down with it.
            Log.AccessLogFailed(_context.Logger, sessionId, exception);
        }
    }

    /// <summary>One listening socket and what its <see cref="AcceptLoop"/> does with clients and failures.</summary>
    private sealed class Listener(SocksServer server, Socket socket, IPEndPoint endPoint) : IAcceptLoopHandler
    {
        public Socket Socket { get; } = socket;

        public IPEndPoint EndPoint { get; } = endPoint;

        public Task? Loop { get; set; }

        public bool IsStopping => Volatile.Read(ref server._stopping) != 0;

        public void OnAccepted(Socket client) => server.Dispatch(client);

        public void OnAcceptFailing(SocketError error, TimeSpan backoff)
        {
            // Out of descriptors or buffers is an expected OS condition (a warning); anything else is not.
            if (SocketErrors.IsResourceExhaustion(error))
            {
                Log.AcceptResourcesExhausted(server._context.Logger, EndPoint, error, (long)backoff.TotalMilliseconds);
            }
            else
            {
                Log.AcceptFailed(server._context.Logger, EndPoint, error, (long)backoff.TotalMilliseconds);
            }
        }

        public void OnAcceptRecovered(long failures) => Log.AcceptRecovered(server._context.Logger, EndPoint, failures);
    }
}
