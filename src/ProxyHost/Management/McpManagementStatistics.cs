namespace ProxyHost.Management;

/// <summary>
/// Live counters of the MCP listener: connections, bytes, and the memory held for requests and responses. They let
/// the host (and tests) check that no admin client holds more than one frame of memory or blocks another one.
/// </summary>
/// <remarks>All members are thread-safe. <see cref="WhenChanged"/> completes at the next change of any counter.</remarks>
internal sealed class McpManagementStatistics
{
    private int _activeConnections;
    private long _acceptedConnections;
    private long _rejectedConnections;
    private long _refusedConnections;
    private long _replacedConnections;
    private long _frameTimeouts;
    private long _idleWaits;
    private long _frameWaits;
    private long _bytesReceived;
    private long _responsesWritten;
    private long _bufferedRequestBytes;
    private int _peakRequestBufferBytes;
    private int _peakResponseBufferBytes;
    private int _stalledWrites;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Gets the admin connections open now: at most <see cref="McpManagementOptions.MaxConnections"/>, plus for a moment
    /// the connections replaced at the limit that are still closing.
    /// </summary>
    public int ActiveConnections => Volatile.Read(ref _activeConnections);

    /// <summary>Gets the admin connections served since the listener started; counted once a connection is set up.</summary>
    public long AcceptedConnections => Interlocked.Read(ref _acceptedConnections);

    /// <summary>
    /// Gets the connections closed at once because <see cref="McpManagementOptions.MaxConnections"/> were being served
    /// and none could be replaced (or the client would not have been served).
    /// </summary>
    public long RejectedConnections => Interlocked.Read(ref _rejectedConnections);

    /// <summary>Gets the connections closed at the limit to make room for a new client (idle the longest, or the newest stalled mid-frame).</summary>
    public long ReplacedConnections => Interlocked.Read(ref _replacedConnections);

    /// <summary>Gets the connections closed because a frame they had begun was not complete within <see cref="McpManagementOptions.FrameTimeout"/>.</summary>
    public long FrameTimeouts => Interlocked.Read(ref _frameTimeouts);

    /// <summary>Gets the connections refused because their client's uid is not allowed or unknown (<see cref="McpManagementOptions.Clients"/>).</summary>
    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    /// <summary>Gets how many times a connection started waiting for a request (idle, or lingering after a refusal): it may be replaced from then on.</summary>
    public long IdleWaits => Interlocked.Read(ref _idleWaits);

    /// <summary>Gets how many times a connection started waiting for the rest of a frame (its frame deadline armed).</summary>
    public long FrameWaits => Interlocked.Read(ref _frameWaits);

    /// <summary>Gets the request bytes received from all admin connections.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Gets the responses written (queued for sending) on all admin connections.</summary>
    public long ResponsesWritten => Interlocked.Read(ref _responsesWritten);

    /// <summary>Gets the request bytes received but not yet consumed, summed over all connections.</summary>
    public long BufferedRequestBytes => Interlocked.Read(ref _bufferedRequestBytes);

    /// <summary>Gets the most request bytes one connection has held at once (a partial frame plus one read).</summary>
    public int PeakRequestBufferBytes => Volatile.Read(ref _peakRequestBufferBytes);

    /// <summary>Gets the most response bytes one connection has held unsent at once (a batch of responses).</summary>
    public int PeakResponseBufferBytes => Volatile.Read(ref _peakResponseBufferBytes);

    /// <summary>Gets the connections whose responses are waiting for the client to read (a send that did not complete at once).</summary>
    public int StalledWrites => Volatile.Read(ref _stalledWrites);

    /// <summary>Gets a task that completes at the next change of any counter.</summary>
    public Task WhenChanged => Volatile.Read(ref _changed).Task;

    /// <summary>Counts a connection that was given a slot (the server's admission decides, under its lock).</summary>
    internal void ConnectionOpened() => Interlocked.Increment(ref _activeConnections);

    /// <summary>Counts a connection whose slot was taken and which is now set up (its idle clock running).</summary>
    internal void ConnectionStarted() => Count(ref _acceptedConnections);

    internal void ConnectionRejected() => Count(ref _rejectedConnections);

    internal void ConnectionReplaced() => Count(ref _replacedConnections);

    internal void FrameTimedOut() => Count(ref _frameTimeouts);

    internal void WaitingIdle() => Count(ref _idleWaits);

    internal void WaitingMidFrame() => Count(ref _frameWaits);

    internal void ConnectionRefused() => Count(ref _refusedConnections);

    internal void ConnectionClosed()
    {
        Interlocked.Decrement(ref _activeConnections);
        Notify();
    }

    internal void Received(int bytes)
    {
        Interlocked.Add(ref _bytesReceived, bytes);
        Notify();
    }

    internal void Buffered(long delta, int heldNow)
    {
        Interlocked.Add(ref _bufferedRequestBytes, delta);
        RaiseToAtLeast(ref _peakRequestBufferBytes, heldNow);
        Notify();
    }

    internal void ResponseWritten(long unflushedBytes)
    {
        Interlocked.Increment(ref _responsesWritten);
        RaiseToAtLeast(ref _peakResponseBufferBytes, (int)Math.Min(unflushedBytes, int.MaxValue));
        Notify();
    }

    internal void WriteStalled() => Count(ref _stalledWrites);

    internal void WriteResumed()
    {
        Interlocked.Decrement(ref _stalledWrites);
        Notify();
    }

    private static void RaiseToAtLeast(ref int peak, int value)
    {
        var current = Volatile.Read(ref peak);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref peak, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Adds one to a counter and wakes whoever waits for a change.</summary>
    private void Count(ref long counter)
    {
        Interlocked.Increment(ref counter);
        Notify();
    }

    /// <summary>Adds one to a counter and wakes whoever waits for a change.</summary>
    private void Count(ref int counter)
    {
        Interlocked.Increment(ref counter);
        Notify();
    }

    private void Notify() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
