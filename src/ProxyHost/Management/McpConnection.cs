using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Mcp.Protocol;
using Microsoft.Extensions.Logging;

namespace ProxyHost.Management;

/// <summary>
/// One admin connection: reads requests one frame at a time, answers them in order, and closes on EOF, unknown VER,
/// idleness, failure or server stop (MCP memo §2-§5; docs/mcp-protocol.md §7, §8).
/// </summary>
/// <remarks>
/// <para><b>Memory.</b> The reader is a <see cref="PipeReader"/> over the socket that is asked for more bytes only
/// after every complete request in its buffer has been answered and the answers have been sent. So it holds at most
/// one partial frame (a frame is at most 4 + 65535 bytes; the reader validates LEN before waiting for a payload and
/// skips rejected payloads without buffering them) plus one read of <see cref="ReadBufferSize"/> bytes. Answers to
/// pipelined requests are batched and sent whenever <see cref="FlushThreshold"/> bytes are pending, so the output
/// holds at most that plus one response. A client that does not read its responses therefore stops being read: its
/// requests stay in the kernel's socket buffers, then in its own.</para>
/// <para><b>Fairness.</b> Each connection runs on its own task with asynchronous I/O only; a slow backend call
/// (ADD_USER) delays only the connection that asked.</para>
/// <para><b>Who.</b> Before reading any request the connection learns its client's uid (<see cref="McpPeerIdentity"/>).
/// A client that <see cref="McpManagementOptions.Clients"/> does not admit is refused without changing the wire
/// protocol: it is sent one ERROR response at once (the answer to the first request it sends, memo §5 0x01), the
/// server half-closes, discards what the client still sends (at most <see cref="MaxRefusedDiscard"/> bytes, for at
/// most <see cref="RefusalLinger"/>) and closes. No request of a refused client reaches the backend. Closing only
/// after the client's EOF, rather than at once, keeps a reset from destroying the ERROR before the client reads it.</para>
/// <para><b>Phases.</b> While the connection waits for its client it is <em>idle</em> (between requests, or lingering
/// after a refusal) or <em>mid-frame</em> (part of a frame has arrived); otherwise it is busy (looking its client up,
/// parsing, in the backend, sending answers). Only a waiting connection can be closed from outside by the limit rules
/// (<see cref="TryReplace"/>) or the frame deadline, and the switch from waiting to busy is one compare-and-swap, so a
/// connection that has started on a request is never replaced, and one that was replaced never starts on one.</para>
/// <para><b>Frame deadline.</b> Once part of a frame has arrived, the rest must arrive within
/// <see cref="McpManagementOptions.FrameTimeout"/>, counted while the server waits for it; otherwise the connection is
/// closed (<see cref="McpCloseReason.FrameTimeout"/>). One timer per connection, created at its first partial frame.</para>
/// </remarks>
internal sealed partial class McpConnection
{
    /// <summary>Bytes asked from the socket per read (the pipe's segment size).</summary>
    internal const int ReadBufferSize = 4096;

    /// <summary>Pending response bytes that make the connection send its batch before reading further requests.</summary>
    internal const int FlushThreshold = 16 * 1024;

    /// <summary>How many bytes a refused client may still send before the server closes without waiting for its EOF.</summary>
    internal const int MaxRefusedDiscard = 64 * 1024;

    /// <summary>How long a refused client has to close its side after the ERROR before the server closes anyway.</summary>
    internal static readonly TimeSpan RefusalLinger = TimeSpan.FromSeconds(10);

    private const int NotAborted = -1;

    private const int PhaseBusy = 0;
    private const int PhaseIdle = 1;
    private const int PhaseMidFrame = 2;
    private const int PhaseRefusing = 3;
    private const int PhaseClosing = 4;
    private const int PhaseTakenOver = 5;

    private static readonly McpResponse ErrorResponse = McpResponse.Failure(McpCommand.GetMetrics, McpStatus.Error);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly IManagementBackend _backend;
    private readonly ILogger _logger;
    private readonly McpManagementStatistics _statistics;
    private readonly TimeSpan _idleTimeout;
    private readonly ActivityTimer _idle;
    private readonly CancellationTokenSource _aborted = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<McpConnection> _onClosed;
    private readonly string? _socketPath;
    private readonly McpClientPolicy _clients;
    private readonly TimeProvider _time;
    private readonly TimeSpan _frameTimeout;
    private readonly McpLogThrottles _throttles;
    private readonly McpPeer? _identified;
    private ITimer? _frameTimer;
    private long _frameStartedAt;
    private long _deadlineFrame = -1;
    private int _phase = PhaseBusy;
    private long _waitingSince;
    private int _abortReason = NotAborted;
    private int _held;
    private int _skipRemaining;
    private long _requests;

    public McpConnection(
        long id,
        Socket socket,
        string? socketPath,
        IManagementBackend backend,
        McpManagementOptions options,
        ILogger logger,
        TimeProvider time,
        McpManagementStatistics statistics,
        McpLogThrottles throttles,
        McpPeer? identified,
        Action<McpConnection> onClosed)
    {
        Id = id;
        _socket = socket;
        _socketPath = socketPath;
        _clients = options.Clients;
        _time = time;
        Peer = new McpPeer(socketPath is null ? socket.RemoteEndPoint?.ToString() ?? "unknown" : "unix:" + socketPath, null, "not looked up yet");
        _backend = backend;
        _logger = logger;
        _statistics = statistics;
        _onClosed = onClosed;
        _idleTimeout = options.IdleTimeout;
        _frameTimeout = options.FrameTimeout;
        _throttles = throttles;
        _identified = identified;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: ReadBufferSize / 4, leaveOpen: true));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: ReadBufferSize, leaveOpen: true));
        _idle = new ActivityTimer(time, options.IdleTimeout, () => Abort(McpCloseReason.IdleTimeout));
    }

    /// <summary>Gets the connection's id in logs (unique per listener).</summary>
    public long Id { get; }

    /// <summary>Gets the client: its address (or the Unix socket and pid) and uid, once <see cref="RunAsync"/> has looked it up.</summary>
    public McpPeer Peer { get; private set; }

    /// <summary>Gets a task that completes when the connection is closed, its resources released and the owner told.</summary>
    public Task Closed => _closed.Task;

    /// <summary>
    /// Gets or sets a value indicating whether this connection's slot was given to a new client when it was replaced
    /// (so its close frees no slot). Read and written only under the server's admission lock.
    /// </summary>
    internal bool SlotHandedOver { get; set; }

    /// <summary>Gets a value indicating whether the connection waits between requests (or lingers after a refusal), and since when.</summary>
    /// <param name="since">The <see cref="TimeProvider"/> timestamp at which it started waiting.</param>
    /// <returns>True when idle.</returns>
    internal bool IsIdle(out long since)
    {
        var phase = Volatile.Read(ref _phase);
        since = Volatile.Read(ref _waitingSince);
        return phase is PhaseIdle or PhaseRefusing;
    }

    /// <summary>
    /// Closes the connection to give its slot to a new client, if it is still waiting in the phase asked for: idle
    /// (<paramref name="midFrame"/> false) or in the middle of a frame (true). Atomic against the connection starting
    /// on a request: either it started (and this returns false) or it never will.
    /// </summary>
    /// <param name="midFrame">Which waiting phase may be replaced.</param>
    /// <param name="state">For the log: what the connection was doing.</param>
    /// <returns>True when the connection was taken over and is closing.</returns>
    internal bool TryReplace(bool midFrame, out string state)
    {
        var phase = Volatile.Read(ref _phase);
        state = phase switch
        {
            PhaseIdle => "idle",
            PhaseRefusing => "refused, lingering",
            _ => "stalled in the middle of a frame",
        };
        var wanted = midFrame ? phase == PhaseMidFrame : phase is PhaseIdle or PhaseRefusing;
        if (!wanted || Interlocked.CompareExchange(ref _phase, PhaseTakenOver, phase) != phase)
        {
            return false;
        }

        Abort(McpCloseReason.Replaced);
        return true;
    }

    /// <summary>
    /// Ends the connection at once: pending reads, writes and backend calls are cancelled and the socket is closed.
    /// Thread-safe; the first reason wins.
    /// </summary>
    /// <param name="reason">Why, for the log.</param>
    public void Abort(McpCloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _abortReason, (int)reason, NotAborted) != NotAborted)
        {
            return;
        }

        if (reason == McpCloseReason.IdleTimeout)
        {
            Log.IdleTimeout(_logger, Id, _idleTimeout);
        }

        // Callbacks (socket cancellation, the loop's continuation) run on the thread pool, never on the caller: the
        // caller may be a timer or the server's stop path.
        _ = _aborted.CancelAsync();
    }

    /// <summary>
    /// Serves the connection until it closes, then tells the owner (the callback given to the constructor). Never
    /// throws: every ending is classified and logged.
    /// </summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async Task RunAsync()
    {
        var reason = McpCloseReason.InternalError;
        try
        {
            // Who the client is decides whether anything it sends is read: first the kernel's answer, then serve or refuse.
            Peer = _identified ?? McpPeerIdentity.Identify(_socket, _socketPath);
            if (_clients.Admits(Peer))
            {
                Log.ConnectionAccepted(_logger, Id, Peer.Client, Peer.UidText);
                reason = await ServeAsync().ConfigureAwait(false);
            }
            else
            {
                if (Peer.Uid is { } uid)
                {
                    Log.ClientNotAllowed(_logger, Id, Peer.Client, uid, _clients.UidList());
                }
                else
                {
                    Log.ClientUnidentified(_logger, Id, Peer.Client, Peer.Unknown ?? "unknown");
                }

                _statistics.ConnectionRefused();
                reason = await RefuseAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_aborted.IsCancellationRequested)
        {
            reason = AbortReason();
        }
        catch (Exception exception) when (SocketErrors.TryGetSocketError(exception, out var error))
        {
            if (_aborted.IsCancellationRequested)
            {
                // Abort closed or cancelled the socket under a pending operation.
                reason = AbortReason();
            }
            else
            {
                reason = McpCloseReason.ConnectionError;
                Log.ConnectionError(_logger, Id, error);
            }
        }
        catch (Exception exception)
        {
            // A bug of ours: the connection cannot go on, but the listener and the other connections can.
            Log.ConnectionFailed(_logger, Id, exception);
        }
        finally
        {
            // Not waiting any more: nobody may replace (or time out) a connection that is already closing.
            Volatile.Write(ref _phase, PhaseClosing);
            try
            {
                await CloseAsync(reason).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // Releasing the socket failed (a bug of ours): still tell the owner, or the slot would leak.
                Log.ConnectionFailed(_logger, Id, exception);
            }

            Log.ConnectionClosed(_logger, Id, reason, _requests);
            _onClosed(this);
            _closed.TrySetResult();
        }
    }

    private McpCloseReason AbortReason() => (McpCloseReason)Volatile.Read(ref _abortReason);

    private async Task<McpCloseReason> ServeAsync()
    {
        var token = _aborted.Token;
        while (true)
        {
            if (!EnterWait())
            {
                return McpCloseReason.FrameTimeout;
            }

            var result = await _reader.ReadAsync(token).ConfigureAwait(false);
            if (!LeaveWait())
            {
                // Replaced or timed out while the bytes arrived: the request is not carried out.
                return TakenOverReason();
            }

            var buffer = result.Buffer;
            var received = (int)(buffer.Length - _held);
            if (received > 0)
            {
                _idle.Touch();
                _statistics.Received(received);
            }

            UpdateHeld(buffer.Length);

            // Answer every complete request in the buffer, in order. Reading further waits until these answers are
            // sent: that is what bounds memory when a client does not read its responses.
            var closing = false;
            while (true)
            {
                if (_skipRemaining > 0)
                {
                    if (!McpRequestReader.TrySkip(ref buffer, ref _skipRemaining))
                    {
                        break;
                    }

                    continue;
                }

                var status = McpRequestReader.TryRead(ref buffer, out var request, out var error);
                if (status == OperationStatus.NeedMoreData)
                {
                    break;
                }

                _requests++;
                if (status == OperationStatus.InvalidData)
                {
                    WriteResponse(ErrorResponse);
                    if (!error.CanSkipFrame)
                    {
                        // Unknown VER: the framing cannot be trusted any more (docs/mcp-protocol.md §8).
                        // Any client can open connection after connection just to send one bad byte: one line per 30 s.
                        if (_throttles.UnsupportedVersion.TryWarn())
                        {
                            Log.UnsupportedVersion(_logger, Id, Peer.Client, error.Message);
                        }
                        closing = true;
                        break;
                    }

                    Log.MalformedRequest(_logger, Id, error.Reason, error.Message);
                    _skipRemaining = error.RemainingBytes;
                    continue;
                }

                if (request.Command is McpCommand.AddUser or McpCommand.RemoveUser && _writer.UnflushedBytes > 0)
                {
                    // The earlier answers need not wait for a slow user change.
                    await FlushAsync(token).ConfigureAwait(false);
                }

                var response = await ExecuteAsync(request, token).ConfigureAwait(false);
                WriteResponse(response);
                if (_writer.UnflushedBytes >= FlushThreshold)
                {
                    await FlushAsync(token).ConfigureAwait(false);
                }
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            UpdateHeld(buffer.Length);
            if (_writer.UnflushedBytes > 0)
            {
                await FlushAsync(token).ConfigureAwait(false);
            }

            if (closing)
            {
                return McpCloseReason.UnsupportedVersion;
            }

            if (result.IsCompleted)
            {
                return buffer.IsEmpty && _skipRemaining == 0 ? McpCloseReason.ClientClosed : McpCloseReason.ClientClosedMidFrame;
            }
        }
    }

    private async Task<McpCloseReason> RefuseAsync()
    {
        var token = _aborted.Token;
        Volatile.Write(ref _waitingSince, _time.GetTimestamp());
        Volatile.Write(ref _phase, PhaseRefusing);
        _statistics.WaitingIdle();

        // Memo §5 0x01: a valid response frame, which the client reads as the answer to its first request; then FIN.
        WriteResponse(ErrorResponse);
        await FlushAsync(token).ConfigureAwait(false);
        _socket.Shutdown(SocketShutdown.Send);
        using var linger = _time.CreateTimer(
            static state => ((McpConnection)state!).Abort(McpCloseReason.Refused), this, RefusalLinger, Timeout.InfiniteTimeSpan);
        long discarded = 0;
        while (true)
        {
            var result = await _reader.ReadAsync(token).ConfigureAwait(false);
            discarded += result.Buffer.Length;

            // Read to keep the kernel from answering with a reset, never parsed (passwords included).
            _reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || discarded >= MaxRefusedDiscard)
            {
                return McpCloseReason.Refused;
            }
        }
    }

    /// <summary>
    /// Publishes what the connection waits for before it reads: idle, or the rest of a frame (then the frame deadline
    /// runs, from the first wait for this frame).
    /// </summary>
    /// <returns>False when the frame's deadline has already passed (the connection is then being closed).</returns>
    private bool EnterWait()
    {
        var now = _time.GetTimestamp();
        if (_held == 0 && _skipRemaining == 0)
        {
            Volatile.Write(ref _waitingSince, now);
            Volatile.Write(ref _phase, PhaseIdle);
            _statistics.WaitingIdle();
            return true;
        }

        // The frame being skipped was counted when its header was read; otherwise the partial one is the next.
        var frame = _skipRemaining > 0 ? _requests : _requests + 1;
        if (frame != _deadlineFrame)
        {
            _deadlineFrame = frame;
            Volatile.Write(ref _frameStartedAt, now);
        }

        Volatile.Write(ref _phase, PhaseMidFrame);
        if (_frameTimeout == Timeout.InfiniteTimeSpan)
        {
            _statistics.WaitingMidFrame();
            return true;
        }

        var left = _frameTimeout - _time.GetElapsedTime(Volatile.Read(ref _frameStartedAt), now);
        if (left <= TimeSpan.Zero)
        {
            return !TryTimeOutFrame();
        }

        _frameTimer ??= _time.CreateTimer(static state => ((McpConnection)state!).OnFrameTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _frameTimer.Change(left, Timeout.InfiniteTimeSpan);

        // Counted once the timer is armed, so a test that saw the count can move the clock past the deadline.
        _statistics.WaitingMidFrame();
        return true;
    }

    /// <summary>Claims the bytes that arrived: the connection is busy from now on, unless it was taken over meanwhile.</summary>
    /// <returns>False when the connection was replaced or timed out and must not act on the bytes.</returns>
    private bool LeaveWait()
    {
        var phase = Volatile.Read(ref _phase);
        return phase is PhaseIdle or PhaseMidFrame && Interlocked.CompareExchange(ref _phase, PhaseBusy, phase) == phase;
    }

    private void OnFrameTimer()
    {
        if (Volatile.Read(ref _phase) != PhaseMidFrame)
        {
            // The frame completed (or the connection is busy or closing); the next partial frame re-arms the timer.
            return;
        }

        var left = _frameTimeout - _time.GetElapsedTime(Volatile.Read(ref _frameStartedAt));
        if (left > TimeSpan.Zero)
        {
            // Change returns false once disposed, which is fine: the connection is over.
            _frameTimer?.Change(left, Timeout.InfiniteTimeSpan);
            return;
        }

        TryTimeOutFrame();
    }

    private bool TryTimeOutFrame()
    {
        if (Interlocked.CompareExchange(ref _phase, PhaseTakenOver, PhaseMidFrame) != PhaseMidFrame)
        {
            return false;
        }

        _statistics.FrameTimedOut();
        if (_throttles.FrameTimeout.TryWarn())
        {
            Log.FrameTimeout(_logger, Id, Peer.Client, _frameTimeout);
        }

        Abort(McpCloseReason.FrameTimeout);
        return true;
    }

    /// <summary>The reason of whoever took the connection over; they set it right after their compare-and-swap.</summary>
    private McpCloseReason TakenOverReason()
    {
        var spin = default(SpinWait);
        while (Volatile.Read(ref _abortReason) == NotAborted)
        {
            spin.SpinOnce();
        }

        return AbortReason();
    }

    private void WriteResponse(in McpResponse response)
    {
        McpResponseWriter.Write(response, _writer);
        _statistics.ResponseWritten(_writer.UnflushedBytes);
    }

    private async ValueTask FlushAsync(CancellationToken token)
    {
        var flush = _writer.FlushAsync(token);
        if (flush.IsCompleted)
        {
            await flush.ConfigureAwait(false);
        }
        else
        {
            // The socket's send buffer is full: the client is slow to read (or does not read at all). Nothing more is
            // read from it meanwhile, and the idle clock runs.
            _statistics.WriteStalled();
            try
            {
                await flush.ConfigureAwait(false);
            }
            finally
            {
                _statistics.WriteResumed();
            }
        }

        _idle.Touch();
    }

    private void UpdateHeld(long held)
    {
        var now = (int)held;
        _statistics.Buffered(now - _held, now);
        _held = now;
    }

    private async Task CloseAsync(McpCloseReason reason)
    {
        _idle.Dispose();
        _frameTimer?.Dispose();
        UpdateHeld(0);
        var graceful = reason is McpCloseReason.ClientClosed or McpCloseReason.ClientClosedMidFrame or McpCloseReason.UnsupportedVersion
            or McpCloseReason.Refused;
        await _reader.CompleteAsync().ConfigureAwait(false);

        // With an exception the writer drops what was not sent instead of writing it to a client that may never read.
        await _writer.CompleteAsync(graceful ? null : new OperationCanceledException("The MCP connection was closed.")).ConfigureAwait(false);
        if (graceful && reason != McpCloseReason.Refused)
        {
            try
            {
                // FIN after the last response, so the client reads every answer and then EOF.
                _socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // The client is already gone (reset); closing below is all that is left to do.
            }
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();

        // _aborted is not disposed: the server may still call Abort on a connection that is closing, and a
        // CancellationTokenSource without a timer holds no resource that needs it.
    }
}
