using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Socks.Core.Dissectors;

/// <summary>What every observer of a dissector family shares: the sink, the switch, the clock and the logger.</summary>
internal sealed class DissectorContext
{
    private int _failureReported;

    public DissectorContext(ICredentialSink sink, DissectorSwitch @switch, TimeProvider? time, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(@switch);
        Sink = sink;
        Switch = @switch;
        Time = time ?? TimeProvider.System;
        Logger = logger ?? NullLogger.Instance;
    }

    public ICredentialSink Sink { get; }

    public DissectorSwitch Switch { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    /// <summary>Reports a failure inside an observer: an error the first time, debug afterwards.</summary>
    public void ReportFailure(string protocol, long sessionId, Exception exception)
    {
        if (Interlocked.Exchange(ref _failureReported, 1) == 0)
        {
            Log.ObserverFailed(Logger, protocol, sessionId, exception);
        }
        else
        {
            Log.ObserverFailedAgain(Logger, protocol, sessionId, exception.GetType().Name);
        }
    }
}
