using System.Threading.RateLimiting;

namespace Socks.Core.Limits;

/// <summary>
/// The bandwidth limit of one user in one direction: a token bucket (one token per byte) shared by all the user's
/// sessions, refilled every 100 ms with a tenth of the rate and holding two tenths (so a burst after a pause is short,
/// and a 5 s measure is within 4 % of the rate); a copier reads at most <see cref="ChunkLimit"/> bytes (a tenth of the
/// rate), then waits for that many tokens before it writes, so back-pressure reaches the sender through TCP.
/// </summary>
/// <remarks>
/// Sessions hold the throttle they started with (<see cref="TryHold"/>/<see cref="Release"/>); a throttle replaced
/// by a new rate is retired and disposed (its replenishment timer stopped) when its last session has let it go.
/// </remarks>
internal sealed class DirectionThrottle
{
    private readonly TokenBucketRateLimiter _limiter;
    private int _holders;
    private bool _retired;
    private bool _disposed;

    /// <summary>Creates the bucket for <paramref name="rate"/> bytes per second.</summary>
    /// <param name="rate">Bytes per second, at least 1.</param>
    public DirectionThrottle(long rate)
    {
        Rate = rate;

        // 100 ms periods above 1000 B/s (the rounding of rate/10 costs less than 1 %), whole seconds below.
        var (period, perPeriod) = rate >= 1000
            ? (TimeSpan.FromMilliseconds(100), (int)Math.Min(rate / 10, int.MaxValue))
            : (TimeSpan.FromSeconds(1), (int)rate);
        ChunkLimit = perPeriod;
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            // Twice a period's tokens: what a chunk leaves over is not lost at the next refill (a bucket of one period
            // dropped it, and reads of 64 KiB against periods of 100 KiB then moved 64 % of the rate).
            TokenLimit = (int)Math.Min(2L * perPeriod, int.MaxValue),
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>Bytes per second.</summary>
    public long Rate { get; }

    /// <summary>The most bytes one chunk may take: the bucket's size.</summary>
    public int ChunkLimit { get; }

    /// <summary>Waits until <paramref name="bytes"/> may go (at once when the bucket has them).</summary>
    /// <param name="bytes">Bytes about to be written.</param>
    /// <param name="cancellationToken">The session's Closed token.</param>
    /// <returns>A task that completes when they may go.</returns>
    /// <exception cref="OperationCanceledException">The session was aborted.</exception>
    public ValueTask ThrottleAsync(int bytes, CancellationToken cancellationToken)
    {
        if (bytes <= ChunkLimit)
        {
            using var lease = _limiter.AttemptAcquire(bytes);
            if (lease.IsAcquired)
            {
                return ValueTask.CompletedTask;
            }
        }

        return WaitAsync(bytes, cancellationToken);
    }

    /// <summary>Takes a hold for a session; false once the throttle is disposed (then build a new one).</summary>
    /// <returns>True when held.</returns>
    public bool TryHold()
    {
        lock (_limiter)
        {
            if (_disposed)
            {
                return false;
            }

            _holders++;
            return true;
        }
    }

    /// <summary>A session let the throttle go.</summary>
    public void Release()
    {
        lock (_limiter)
        {
            _holders--;
            DisposeIfUnused();
        }
    }

    /// <summary>The user's rate changed: no new session takes this throttle; it is disposed when unused.</summary>
    public void Retire()
    {
        lock (_limiter)
        {
            _retired = true;
            DisposeIfUnused();
        }
    }

    private void DisposeIfUnused()
    {
        if (_retired && _holders == 0 && !_disposed)
        {
            _disposed = true;
            _limiter.Dispose();
        }
    }

    private async ValueTask WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        // A chunk larger than the bucket (data pipelined behind the request, at a very low rate) goes in pieces.
        while (bytes > 0)
        {
            var piece = Math.Min(bytes, ChunkLimit);
            using var lease = await _limiter.AcquireAsync(piece, cancellationToken).ConfigureAwait(false);
            bytes -= piece;
        }
    }
}
