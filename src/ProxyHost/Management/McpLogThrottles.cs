namespace ProxyHost.Management;

/// <summary>
/// The listener's rate limits for log lines that any client can cause as often as it likes: one line of each kind per
/// <see cref="WarningThrottle.LimitWarningInterval"/> (30 s), however many connections trigger it.
/// </summary>
internal sealed class McpLogThrottles
{
    /// <summary>Creates the throttles on <paramref name="time"/>.</summary>
    /// <param name="time">The listener's clock.</param>
    public McpLogThrottles(TimeProvider time)
    {
        ConnectionLimit = new WarningThrottle(time, WarningThrottle.LimitWarningInterval);
        Replaced = new WarningThrottle(time, WarningThrottle.LimitWarningInterval);
        FrameTimeout = new WarningThrottle(time, WarningThrottle.LimitWarningInterval);
        UnsupportedVersion = new WarningThrottle(time, WarningThrottle.LimitWarningInterval);
    }

    /// <summary>Gets the throttle of "connection limit reached, new client closed" (304).</summary>
    public WarningThrottle ConnectionLimit { get; }

    /// <summary>Gets the throttle of "connection closed to make room for a new client" (323).</summary>
    public WarningThrottle Replaced { get; }

    /// <summary>Gets the throttle of "frame not completed in time, connection closed" (324).</summary>
    public WarningThrottle FrameTimeout { get; }

    /// <summary>Gets the throttle of "unknown VER, answered ERROR and closed" (307).</summary>
    public WarningThrottle UnsupportedVersion { get; }
}
