using Microsoft.Extensions.Logging;
using Socks.Core.Dissectors;

namespace Socks.Core.Relay;

/// <summary>
/// Hands relayed chunks to a session's traffic observer, and shields the relay from it: once the
/// observer is finished or throws, it is dropped for the rest of the session (a failure is logged once).
/// </summary>
internal sealed class TrafficTap
{
    private readonly ILogger _logger;
    private readonly long _sessionId;
    private ITrafficObserver? _observer;

    /// <summary>Wraps an observer for one session.</summary>
    /// <param name="observer">The observer.</param>
    /// <param name="logger">Where a failure of the observer is logged.</param>
    /// <param name="sessionId">The session, for the log.</param>
    public TrafficTap(ITrafficObserver observer, ILogger logger, long sessionId)
    {
        _observer = observer;
        _logger = logger;
        _sessionId = sessionId;
    }

    /// <summary>True while the observer still wants data.</summary>
    public bool IsActive => Volatile.Read(ref _observer) is not null;

    /// <summary>Shows the observer a chunk that was just forwarded.</summary>
    /// <param name="fromClient">True for client-to-target data, false for target-to-client.</param>
    /// <param name="data">The chunk.</param>
    public void Observe(bool fromClient, ReadOnlySpan<byte> data)
    {
        var observer = Volatile.Read(ref _observer);
        if (observer is null)
        {
            return;
        }

        try
        {
            if (observer.IsFinished)
            {
                Volatile.Write(ref _observer, null);
                return;
            }

            if (fromClient)
            {
                observer.OnClientData(data);
            }
            else
            {
                observer.OnTargetData(data);
            }
        }
        catch (Exception exception)
        {
            // An observer only watches a copy; whatever it throws must not stop the relay (style guide §8).
            // Both directions may fail at once: only the one that drops the observer logs.
            if (Interlocked.Exchange(ref _observer, null) is not null)
            {
                Log.ObserverFailed(_logger, _sessionId, observer.GetType().Name, exception);
            }
        }
    }
}
