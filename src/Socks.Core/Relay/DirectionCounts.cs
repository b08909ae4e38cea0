using Socks.Core.Metrics;

namespace Socks.Core.Relay;

/// <summary>Which of a session's four byte counters a direction's reads and writes go to.</summary>
internal static class DirectionCounts
{
    /// <summary>Counts bytes read from a direction's source.</summary>
    /// <param name="traffic">The session's counters.</param>
    /// <param name="fromClient">True for the client-to-target direction.</param>
    /// <param name="count">The bytes read.</param>
    public static void AddRead(SessionTraffic traffic, bool fromClient, int count)
    {
        if (fromClient)
        {
            traffic.AddClientReceived(count);
        }
        else
        {
            traffic.AddTargetReceived(count);
        }
    }

    /// <summary>Counts bytes written to a direction's destination.</summary>
    /// <param name="traffic">The session's counters.</param>
    /// <param name="fromClient">True for the client-to-target direction.</param>
    /// <param name="count">The bytes the kernel accepted.</param>
    public static void AddWritten(SessionTraffic traffic, bool fromClient, int count)
    {
        if (fromClient)
        {
            traffic.AddTargetSent(count);
        }
        else
        {
            traffic.AddClientSent(count);
        }
    }
}
