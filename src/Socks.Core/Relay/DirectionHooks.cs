namespace Socks.Core.Relay;

/// <summary>
/// What one direction of a relay reports to, beyond the byte counters: idle activity and the traffic
/// tap (a rate limiter would be one more). Created only when at least one of them is switched on;
/// a direction with nothing to report has no hooks object at all.
/// </summary>
internal sealed class DirectionHooks
{
    private readonly bool _fromClient;
    private readonly ActivityTimer? _idle;
    private readonly TrafficTap? _tap;
    private readonly Limits.DirectionThrottle? _throttle;
    private readonly CancellationToken _closed;
    private readonly Limits.QuotaMeter? _quota;

    /// <summary>Creates the hooks of one direction.</summary>
    /// <param name="fromClient">True for the client-to-target direction.</param>
    /// <param name="idle">The session's idle timer, touched on every read and write, or null.</param>
    /// <param name="tap">The session's traffic tap, shown every forwarded chunk, or null.</param>
    /// <param name="throttle">The user's bandwidth limit in this direction, or null.</param>
    /// <param name="closed">The session's Closed token (ends a wait for the throttle).</param>
    /// <param name="quota">The session's quota meter (both directions share it), or null.</param>
    public DirectionHooks(bool fromClient, ActivityTimer? idle, TrafficTap? tap, Limits.DirectionThrottle? throttle = null, CancellationToken closed = default, Limits.QuotaMeter? quota = null)
    {
        _quota = quota;
        _fromClient = fromClient;
        _idle = idle;
        _tap = tap;
        _throttle = throttle;
        _closed = closed;
    }

    /// <summary>The user's bandwidth limit in this direction, or null: a direction with one is copied in user space.</summary>
    public Limits.DirectionThrottle? Throttle => _throttle;

    /// <summary>The most bytes to read for one chunk: the buffer, or less under a bandwidth limit.</summary>
    /// <param name="bufferSize">The copier's buffer size.</param>
    /// <returns>The read size.</returns>
    public int ReadSize(int bufferSize) => _throttle is null ? bufferSize : Math.Min(bufferSize, _throttle.ChunkLimit);

    /// <summary>Waits until the bandwidth limit lets <paramref name="bytes"/> go; at once without a limit.</summary>
    /// <param name="bytes">Bytes read and about to be written.</param>
    /// <returns>A task that completes when they may go.</returns>
    /// <exception cref="OperationCanceledException">The session was aborted meanwhile.</exception>
    public ValueTask ThrottleAsync(int bytes) => _throttle is null ? ValueTask.CompletedTask : _throttle.ThrottleAsync(bytes, _closed);

    /// <summary>True for the client-to-target direction.</summary>
    public bool FromClient => _fromClient;

    /// <summary>The activity timer (idle timeout) this direction touches, or null.</summary>
    public ActivityTimer? Idle => _idle;

    /// <summary>The traffic tap this direction feeds, or null.</summary>
    public TrafficTap? Tap => _tap;

    /// <summary>
    /// Bytes went out to the destination: counted against the user's quota, which may close the user's sessions. Called
    /// only where the copier holds no socket reference (never inside a splice step).
    /// </summary>
    /// <param name="bytes">The bytes written.</param>
    public void Transferred(int bytes) => _quota?.Charge(bytes);

    /// <summary>A chunk was read from the source (not yet written).</summary>
    public void Received() => _idle?.Touch();

    /// <summary>Bytes were written to the destination without passing through user space: activity only.</summary>
    public void Moved() => _idle?.Touch();

    /// <summary>A chunk was written to the destination: activity, then the observer sees a copy.</summary>
    /// <param name="chunk">The bytes just forwarded.</param>
    public void Forwarded(ReadOnlySpan<byte> chunk)
    {
        _idle?.Touch();
        _tap?.Observe(_fromClient, chunk);
    }
}
