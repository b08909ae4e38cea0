namespace Socks.Users.Redis;

/// <summary>
/// One user's statistics across the fleet (docs/fleet.md "Statistics across the fleet"): what every node has added to
/// Redis, plus what this node counted since its last flush, and the sessions open now on every live node.
/// </summary>
public sealed class FleetUserStatistics
{
    /// <summary>Creates the statistics.</summary>
    /// <param name="username">The RFC 1929 username.</param>
    /// <param name="activeSessions">Sessions open now on the live nodes.</param>
    /// <param name="sessions">Handshakes that authenticated as the user, fleet-wide.</param>
    /// <param name="bytesUp">Bytes relayed client to target, fleet-wide.</param>
    /// <param name="bytesDown">Bytes relayed target to client, fleet-wide.</param>
    /// <param name="lastLoginUnixMilliseconds">The latest successful login on any node, Unix milliseconds, 0 when never.</param>
    /// <param name="denials">Requests refused, fleet-wide.</param>
    public FleetUserStatistics(byte[] username, long activeSessions, long sessions, long bytesUp, long bytesDown, long lastLoginUnixMilliseconds, long denials)
    {
        Username = username;
        ActiveSessions = activeSessions;
        Sessions = sessions;
        BytesUp = bytesUp;
        BytesDown = bytesDown;
        LastLoginUnixMilliseconds = lastLoginUnixMilliseconds;
        Denials = denials;
    }

    /// <summary>The RFC 1929 username.</summary>
    public byte[] Username { get; }

    /// <summary>Sessions open now: this node's live count plus what the other live nodes wrote at their last flush.</summary>
    public long ActiveSessions { get; }

    /// <summary>Handshakes that authenticated as this user on any node (refused ones included).</summary>
    public long Sessions { get; }

    /// <summary>Bytes relayed client to target for this user's sessions on any node.</summary>
    public long BytesUp { get; }

    /// <summary>Bytes relayed target to client for this user's sessions on any node.</summary>
    public long BytesDown { get; }

    /// <summary>Unix time in milliseconds of the user's last successful login on any node, 0 when never.</summary>
    public long LastLoginUnixMilliseconds { get; }

    /// <summary>Requests of this user refused on any node.</summary>
    public long Denials { get; }
}
