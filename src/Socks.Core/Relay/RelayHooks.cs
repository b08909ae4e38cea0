namespace Socks.Core.Relay;

/// <summary>
/// The hooks of both directions of a relay. A direction's hooks are null when nothing watches it, so
/// its copier pays a null check per hook point and nothing else (the shape of the reverse proxy's
/// stream copier, which creates its telemetry only when telemetry is enabled).
/// </summary>
/// <param name="ClientToTarget">Hooks of the client-to-target direction, or null.</param>
/// <param name="TargetToClient">Hooks of the target-to-client direction, or null.</param>
internal readonly record struct RelayHooks(DirectionHooks? ClientToTarget, DirectionHooks? TargetToClient)
{
    /// <summary>No hooks in either direction.</summary>
    public static RelayHooks None => default;

    /// <summary>Whether something must see the relayed bytes (a traffic tap), so the kernel relay cannot carry the session.</summary>
    public bool SeeBytes => ClientToTarget?.Tap is not null || TargetToClient?.Tap is not null;

    /// <summary>The hooks for a session's relay: an object per direction only when something is switched on.</summary>
    /// <param name="idle">The session's idle timer, or null when there is no idle timeout.</param>
    /// <param name="tap">The session's traffic tap, or null when the session is not watched.</param>
    /// <returns>The hooks; <see cref="None"/> when both are null.</returns>
    /// <param name="up">The user's client-to-target bandwidth limit, or null.</param>
    /// <param name="down">The user's target-to-client bandwidth limit, or null.</param>
    /// <param name="closed">The session's Closed token, which ends a wait for a bandwidth limit.</param>
    /// <param name="quota">The session's quota meter, or null.</param>
    public static RelayHooks Create(ActivityTimer? idle, TrafficTap? tap, Limits.DirectionThrottle? up = null, Limits.DirectionThrottle? down = null, CancellationToken closed = default, Limits.QuotaMeter? quota = null) =>
        idle is null && tap is null && up is null && down is null && quota is null
            ? None
            : new RelayHooks(new DirectionHooks(fromClient: true, idle, tap, up, closed, quota), new DirectionHooks(fromClient: false, idle, tap, down, closed, quota));
}
