using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Mcp.Protocol;

/// <summary>
/// An asynchronous MCP client over one connection (MCP memo §2-§5, docs/mcp-protocol.md).
/// </summary>
/// <remarks>
/// <para><b>Pipelining.</b> The connection carries many requests. Calls may be made concurrently: requests are
/// written one whole frame at a time, in the order the calls take the write lock, and a single background reader
/// matches responses to requests in that same order (responses carry no command byte, memo §5).</para>
/// <para><b>Errors.</b> A non-OK status throws <see cref="McpStatusException"/> and leaves the connection usable. A
/// malformed or unsolicited response throws <see cref="McpProtocolException"/>; the server closing the connection
/// before answering throws <see cref="McpException"/>. Transport failures (<see cref="IOException"/>,
/// <see cref="SocketException"/>) reach the calls in flight unchanged. After any of these except a non-OK status the
/// connection is out of step: every call in flight fails with that exception and every later call throws an
/// <see cref="McpException"/> whose inner exception is the original failure.</para>
/// <para><b>Cancellation.</b> Cancelling a call that is still waiting for its turn to write sends nothing. Cancelling
/// a call whose request has been sent returns at once; its response is still read and discarded when it arrives, so
/// the connection stays in step and usable. The server may still carry out the command (an ADD_USER is not undone).
/// Cancelling while the request is being written may leave part of a frame on the wire, so the connection is then
/// marked unusable.</para>
/// <para><b>Streams.</b> The stream must support one concurrent reader and one concurrent writer (as
/// <see cref="NetworkStream"/> and <see cref="System.Net.Security.SslStream"/> do) and honour cancellation tokens.</para>
/// </remarks>
public sealed partial class McpClient : IAsyncDisposable, IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly PipeReader _reader;
    private readonly ArrayBufferWriter<byte> _output = new(McpConstants.HeaderLength + McpConstants.MaxAddUserPayloadLength);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _shutdown = new();

    // Guards _pending, _fault, _readLoop and _disposed. Enqueue happens under the write lock too, so queue order
    // is wire order.
    private readonly Lock _gate = new();
    private readonly Queue<PendingRequest> _pending = new();
    private Exception? _fault;
    private Task? _readLoop;
    private bool _disposed;

    /// <summary>Creates a client over an established connection.</summary>
    /// <param name="stream">A readable and writable stream to an MCP server.</param>
    /// <param name="leaveOpen"><see langword="true"/> to leave <paramref name="stream"/> open when the client is disposed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot both read and write.</exception>
    public McpClient(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanWrite)
        {
            throw new ArgumentException("The stream must be readable and writable.", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
    }

    /// <summary>Opens a TCP connection to an MCP server and creates a client that owns it.</summary>
    /// <param name="host">A host name or IP address literal; every resolved address is tried.</param>
    /// <param name="port">The TCP port, 1 to 65535 (the memo's default is <see cref="McpConstants.DefaultPort"/>).</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="ArgumentException"><paramref name="host"/> is null, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 1 to 65535.</exception>
    /// <exception cref="SocketException">The name did not resolve or no address accepted the connection (unchanged).</exception>
    public static Task<McpClient> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
        return ConnectCoreAsync(host, port, cancellationToken);
    }

    /// <summary>
    /// Opens a connection to an MCP server at <paramref name="endPoint"/> and creates a client that owns it: a TCP
    /// endpoint (<see cref="IPEndPoint"/>, or a <see cref="DnsEndPoint"/> whose every resolved address is tried), or a
    /// Unix-domain socket (<see cref="UnixDomainSocketEndPoint"/>, as socks5d serves with <c>-L unix:PATH</c>). The
    /// frames are the same on either transport.
    /// </summary>
    /// <param name="endPoint">Where the server listens.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endPoint"/> is null.</exception>
    /// <exception cref="SocketException">
    /// The connection failed (unchanged); for a Unix socket, <see cref="SocketError.AccessDenied"/> when the socket
    /// file's permissions do not let this user connect, <see cref="SocketError.AddressNotAvailable"/> when there is no
    /// such file, <see cref="SocketError.ConnectionRefused"/> when nobody listens on it.
    /// </exception>
    public static Task<McpClient> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return ConnectEndPointAsync(endPoint, cancellationToken);
    }

    /// <summary>Sends GET_METRICS and returns the server's counters (memo §4.1).</summary>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns>The six counters.</returns>
    /// <exception cref="McpStatusException">The server answered a non-OK status.</exception>
    /// <exception cref="McpException">Malformed response, connection closed, or connection unusable.</exception>
    public async Task<McpMetrics> GetMetricsAsync(CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(McpRequest.GetMetrics, cancellationToken).ConfigureAwait(false);
        ThrowIfNotOk(response);
        return response.Metrics;
    }

    /// <summary>Sends LIST_USERS and returns the registered user names, in the server's order (memo §4.2).</summary>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns>The user names as raw bytes (usually UTF-8); each array is the caller's to keep.</returns>
    /// <exception cref="McpStatusException">The server answered a non-OK status.</exception>
    /// <exception cref="McpException">Malformed response, connection closed, or connection unusable.</exception>
    public async Task<IReadOnlyList<byte[]>> ListUsersAsync(CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(McpRequest.ListUsers, cancellationToken).ConfigureAwait(false);
        ThrowIfNotOk(response);
        var users = response.Users;
        var result = new byte[users.Count][];
        for (var i = 0; i < result.Length; i++)
        {
            // The reader gives every name its own array; take it instead of copying again.
            result[i] = MemoryMarshal.TryGetArray(users[i], out var segment)
                && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : users[i].ToArray();
        }

        return result;
    }

    /// <summary>Sends ADD_USER (memo §4.3).</summary>
    /// <param name="username">The user name, 1 to 255 bytes.</param>
    /// <param name="password">The password, 1 to 255 bytes.</param>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns>A task that completes when the server has accepted the user.</returns>
    /// <exception cref="ArgumentException">A credential is empty or longer than 255 bytes; nothing is sent.</exception>
    /// <exception cref="McpStatusException">The server answered a non-OK status, e.g. <see cref="McpStatus.UserExists"/> or <see cref="McpStatus.UserLimit"/>.</exception>
    /// <exception cref="McpException">Malformed response, connection closed, or connection unusable.</exception>
    public Task AddUserAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken = default) =>
        SendExpectingOkAsync(McpRequest.AddUser(username, password), cancellationToken);

    /// <summary>Sends ADD_USER with the UTF-8 encoding of the given strings (memo §4.3).</summary>
    /// <param name="username">The user name; 1 to 255 bytes once encoded.</param>
    /// <param name="password">The password; 1 to 255 bytes once encoded.</param>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns>A task that completes when the server has accepted the user.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A credential is not valid UTF-16, or is empty or longer than 255 bytes in UTF-8; nothing is sent.</exception>
    /// <exception cref="McpStatusException">The server answered a non-OK status, e.g. <see cref="McpStatus.UserExists"/> or <see cref="McpStatus.UserLimit"/>.</exception>
    /// <exception cref="McpException">Malformed response, connection closed, or connection unusable.</exception>
    public Task AddUserAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        return AddUserAsync(McpArguments.StrictUtf8.GetBytes(username), McpArguments.StrictUtf8.GetBytes(password), cancellationToken);
    }

    /// <summary>Sends REMOVE_USER (memo §4.4).</summary>
    /// <param name="username">The user name, 1 to 255 bytes.</param>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns>A task that completes when the server has removed the user.</returns>
    /// <exception cref="ArgumentException">The user name is empty or longer than 255 bytes; nothing is sent.</exception>
    /// <exception cref="McpStatusException">The server answered a non-OK status, e.g. <see cref="McpStatus.UserNotFound"/>.</exception>
    /// <exception cref="McpException">Malformed response, connection closed, or connection unusable.</exception>
    public Task RemoveUserAsync(ReadOnlyMemory<byte> username, CancellationToken cancellationToken = default) =>
        SendExpectingOkAsync(McpRequest.RemoveUser(username), cancellationToken);

    /// <summary>Sends REMOVE_USER with the UTF-8 encoding of the given user name (memo §4.4).</summary>
    /// <param name="username">The user name; 1 to 255 bytes once encoded.</param>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns>A task that completes when the server has removed the user.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="username"/> is null.</exception>
    /// <exception cref="ArgumentException">The user name is not valid UTF-16, or is empty or longer than 255 bytes in UTF-8; nothing is sent.</exception>
    /// <exception cref="McpStatusException">The server answered a non-OK status, e.g. <see cref="McpStatus.UserNotFound"/>.</exception>
    /// <exception cref="McpException">Malformed response, connection closed, or connection unusable.</exception>
    public Task RemoveUserAsync(string username, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(username);
        return RemoveUserAsync(McpArguments.StrictUtf8.GetBytes(username), cancellationToken);
    }

    /// <summary>Sends TOGGLE_DISECTOR and returns the dissector's new state (memo §4.5).</summary>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns><see langword="true"/> when the dissector is now on, <see langword="false"/> when it is now off.</returns>
    /// <exception cref="McpStatusException">The server answered a non-OK status.</exception>
    /// <exception cref="McpException">Malformed response, connection closed, or connection unusable.</exception>
    public async Task<bool> ToggleDissectorAsync(CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(McpRequest.ToggleDissector, cancellationToken).ConfigureAwait(false);
        ThrowIfNotOk(response);
        return response.DissectorEnabled;
    }

    /// <summary>
    /// Sends any request and returns the response as read, without turning a non-OK status into an exception.
    /// For embedders and tools that need the raw status, or to send a command byte the memo does not define.
    /// </summary>
    /// <param name="request">The request to send.</param>
    /// <param name="cancellationToken">Stops waiting (see the type's remarks on cancellation).</param>
    /// <returns>The response to <paramref name="request"/>, whatever its status.</returns>
    /// <exception cref="ObjectDisposedException">The client has been disposed.</exception>
    /// <exception cref="McpException">Malformed response, connection closed, or connection unusable.</exception>
    public Task<McpResponse> SendAsync(McpRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        return SendCoreAsync(request, cancellationToken);
    }

    /// <summary>
    /// Closes the connection (unless the client was created with <c>leaveOpen</c>), fails calls still in flight with
    /// <see cref="ObjectDisposedException"/>, and waits for the background reader to stop.
    /// </summary>
    /// <returns>A task that completes when the client has shut down.</returns>
    public async ValueTask DisposeAsync()
    {
        if (!TryBeginDispose(out var readLoop))
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        if (readLoop is not null)
        {
            // The loop completes the pipe reader as it ends.
            await readLoop.ConfigureAwait(false);
        }
        else
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Like <see cref="DisposeAsync"/>, without waiting for anything: closes the connection (unless the client was
    /// created with <c>leaveOpen</c>), fails calls still in flight with <see cref="ObjectDisposedException"/> before it
    /// returns, and cancels the background reader, which then ends on its own.
    /// </summary>
    public void Dispose()
    {
        if (!TryBeginDispose(out var readLoop))
        {
            return;
        }

        // Cancel rather than CancelAsync: the callbacks it runs inline only complete the cancelled read and writes.
        _shutdown.Cancel();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }

        if (readLoop is null)
        {
            _reader.Complete();
        }
    }

    /// <summary>
    /// Marks the client disposed and fails the calls in flight; the first caller gets true and does the rest of the
    /// shutdown. <paramref name="readLoop"/> is the background reader, if one was started.
    /// </summary>
    private bool TryBeginDispose(out Task? readLoop)
    {
        var disposed = new ObjectDisposedException(nameof(McpClient), "The MCP client was disposed before the server answered.");
        lock (_gate)
        {
            if (_disposed)
            {
                readLoop = null;
                return false;
            }

            _disposed = true;
            readLoop = _readLoop;

            // Under the lock: from here on no call can queue a request or start the reader, so readLoop is final and
            // a reader that was never started can be completed without racing one.
            _fault ??= disposed;
        }

        Fault(disposed);
        return true;
    }

    private static async Task<McpClient> ConnectCoreAsync(string host, int port, CancellationToken cancellationToken)
    {
        // Dual-mode socket: DnsEndPoint connects try IPv6 and IPv4 addresses alike. NoDelay because MCP frames are
        // tiny request/response messages that Nagle would only delay.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not swallowed: release the socket and let SocketException/OperationCanceledException reach the caller.
            socket.Dispose();
            throw;
        }

        return new McpClient(new NetworkStream(socket, ownsSocket: true));
    }

    private static async Task<McpClient> ConnectEndPointAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = endPoint switch
        {
            UnixDomainSocketEndPoint => new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified),

            // Dual-mode for a name, as in ConnectAsync(host, port); NoDelay for the reason given there.
            DnsEndPoint => new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true },
            _ => new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true },
        };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not swallowed: release the socket and let SocketException/OperationCanceledException reach the caller.
            socket.Dispose();
            throw;
        }

        return new McpClient(new NetworkStream(socket, ownsSocket: true));
    }

    private static void ThrowIfNotOk(in McpResponse response)
    {
        if (!response.IsOk)
        {
            throw new McpStatusException(response.Command, response.Status);
        }
    }

    private static void Observe(Task task) =>
        // A call that stopped waiting (cancelled, or failed while sending) leaves its pending task behind; mark a
        // later failure of it as observed so it does not surface as an unobserved task exception.
        task.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private async Task SendExpectingOkAsync(McpRequest request, CancellationToken cancellationToken)
    {
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        ThrowIfNotOk(response);
    }

    private async Task<McpResponse> SendCoreAsync(McpRequest request, CancellationToken cancellationToken)
    {
        var pending = new PendingRequest(request.Command);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        try
        {
            await _writeLock.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(McpClient));
        }

        try
        {
            // Cancelled while waiting for the lock but not yet sending: nothing is on the wire, the connection is fine.
            cancellationToken.ThrowIfCancellationRequested();

            // Serialize before enqueuing: a caller bug (ArgumentException) must leave no pending entry behind.
            _output.ResetWrittenCount();
            McpRequestWriter.Write(request, _output);
            lock (_gate)
            {
                if (_fault is not null)
                {
                    throw CreateUnusableException(_fault);
                }

                _pending.Enqueue(pending);
                _readLoop ??= Task.Run(ReadLoopAsync);
            }

            try
            {
                await _stream.WriteAsync(_output.WrittenMemory, linked.Token).ConfigureAwait(false);
                await _stream.FlushAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Fault(new McpException(
                    $"A {McpNames.GetName(request.Command)} request was cancelled while it was being sent; part of it may be on the wire."));
                Observe(pending.Task);
                throw;
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
            {
                // DisposeAsync cancelled the write and has already failed the connection.
                Observe(pending.Task);
                throw new ObjectDisposedException(nameof(McpClient));
            }
            catch (Exception ex)
            {
                // Transport failure (or disposal) while sending: the wire state is unknown. Deliver as-is.
                Fault(ex);
                Observe(pending.Task);
                throw;
            }
        }
        finally
        {
            _writeLock.Release();
        }

        try
        {
            return await pending.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The request is on the wire: the reader loop still consumes its response, keeping the stream in step.
            Observe(pending.Task);
            throw;
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(_shutdown.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var violation = DeliverResponses(ref buffer);
                var unread = buffer.Length;
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (violation is not null)
                {
                    Fault(violation);
                    return;
                }

                if (result.IsCanceled)
                {
                    return;
                }

                if (result.IsCompleted)
                {
                    Fault(CreateClosedException(unread));
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // DisposeAsync cancelled the read and has already failed the calls in flight.
            return;
        }
        catch (Exception ex)
        {
            // Transport failure (IOException, SocketException, ...): the calls in flight get it unchanged.
            Fault(ex);
        }
        finally
        {
            // Here, not in Dispose: only the loop knows when it has stopped reading, and Dispose does not wait for it.
            await _reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Matches complete responses in <paramref name="buffer"/> to pending requests, oldest first.</summary>
    /// <returns>The protocol violation that makes the stream unusable, or null.</returns>
    private McpProtocolException? DeliverResponses(ref ReadOnlySequence<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            PendingRequest? next;
            lock (_gate)
            {
                if (_fault is not null)
                {
                    // Another path already failed the connection; what follows is of no use to anyone.
                    buffer = buffer.Slice(buffer.End);
                    return null;
                }

                _pending.TryPeek(out next);
            }

            if (next is null)
            {
                return new McpProtocolException($"The server sent {buffer.Length} bytes that answer no request.");
            }

            var status = McpResponseReader.TryRead(ref buffer, next.Command, out var response, out var error);
            if (status == OperationStatus.NeedMoreData)
            {
                return null;
            }

            if (status == OperationStatus.InvalidData)
            {
                return new McpProtocolException($"Malformed response to {McpNames.GetName(next.Command)}: {error.Message}")
                {
                    Reason = error.Reason,
                };
            }

            lock (_gate)
            {
                if (_pending.TryPeek(out var head) && ReferenceEquals(head, next))
                {
                    _pending.Dequeue();
                }
            }

            next.TrySetResult(response);
        }

        return null;
    }

    private McpException CreateClosedException(long unreadBytes)
    {
        PendingRequest? next;
        lock (_gate)
        {
            _pending.TryPeek(out next);
        }

        if (next is null)
        {
            return new McpException("The server closed the connection.");
        }

        var command = McpNames.GetName(next.Command);
        return unreadBytes == 0
            ? new McpException($"The server closed the connection before answering {command}.")
            : new McpException($"The server closed the connection in the middle of the response to {command} ({unreadBytes} bytes of it received).");
    }

    private static Exception CreateUnusableException(Exception fault) => fault is ObjectDisposedException
        ? new ObjectDisposedException(nameof(McpClient))
        : new McpException($"The connection can no longer be used: {fault.Message}", fault);

    /// <summary>Marks the connection unusable (first cause wins) and fails every call in flight with <paramref name="cause"/>.</summary>
    private void Fault(Exception cause)
    {
        PendingRequest[] failed;
        lock (_gate)
        {
            _fault ??= cause;
            failed = [.. _pending];
            _pending.Clear();
        }

        foreach (var request in failed)
        {
            request.TrySetException(cause);
        }
    }

    private sealed class PendingRequest(McpCommand command)
        : TaskCompletionSource<McpResponse>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public McpCommand Command { get; } = command;
    }
}
