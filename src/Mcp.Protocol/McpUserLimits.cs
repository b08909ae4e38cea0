namespace Mcp.Protocol;

/// <summary>
/// A user's limits as the limits extension carries them (docs/mcp-protocol.md §13): MAX_SESSIONS, RATE_UP, RATE_DOWN,
/// QUOTA and PERIOD. Zero means "no limit" for each; the default value has none.
/// </summary>
/// <param name="MaxSessions">Sessions open at once, 0 = unlimited.</param>
/// <param name="RateUp">Bytes per second client to target, shared by the user's sessions, 0 = unlimited.</param>
/// <param name="RateDown">Bytes per second target to client, 0 = unlimited.</param>
/// <param name="Quota">Bytes (both directions together) per period, 0 = none.</param>
/// <param name="Period">The quota's period; <see cref="McpQuotaPeriod.None"/> exactly when <paramref name="Quota"/> is 0.</param>
public readonly record struct McpUserLimits(uint MaxSessions, ulong RateUp, ulong RateDown, ulong Quota, McpQuotaPeriod Period)
{
    /// <summary>Gets whether the limits are valid on the wire: a defined period, a quota exactly when there is a period.</summary>
    public bool IsValid => Period is McpQuotaPeriod.None or McpQuotaPeriod.Day or McpQuotaPeriod.Month && (Quota == 0) == (Period == McpQuotaPeriod.None);
}
