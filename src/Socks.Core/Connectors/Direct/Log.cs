using Microsoft.Extensions.Logging;

namespace Socks.Core.Connectors.Direct;

/// <summary>Log messages of the connectors (event ids 500-599).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Warning,
        Message = "Name resolution saturated: all {Slots} lookup slots are held (a slow or silent DNS server?) and {Queued} lookups wait; CONNECTs by name get REP X'01' until a slot frees up (warned at most every 30 s)")]
    public static partial void ResolverSaturated(ILogger logger, int slots, int queued);
}
