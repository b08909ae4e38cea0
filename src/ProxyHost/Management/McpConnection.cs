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
            Peer = McpPeerIdentity.Identify(_socket, _socketPath);
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
            var result = await _reader.ReadAsync(token).ConfigureAwait(false);
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
                        Log.UnsupportedVersion(_logger, Id, Peer.Client, error.Message);
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
