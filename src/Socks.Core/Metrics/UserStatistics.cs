namespace Socks.Core.Metrics;

/// <summary>
/// The live statistics of one user since the server started (what MCP USER_STATS reports, docs/mcp-protocol.md §13.1):
/// a snapshot, not updated afterwards. Bytes are those the access log records for the user's sessions (relayed
/// bytes each way), counted live while sessions run.
/// </summary>
public sealed class UserStatistics
{
    internal UserStatistics(byte[] username, long activeSessions, long sessions, long bytesUp, long bytesDown, long lastLoginUnixMilliseconds, long denials, long quotaUsed)
    {
        Username = username;
        ActiveSessions = activeSessions;
        Sessions = sessions;
        BytesUp = bytesUp;
        BytesDown = bytesDown;
        LastLoginUnixMilliseconds = lastLoginUnixMilliseconds;
        Denials = denials;
        QuotaUsed = quotaUsed;
    }

    /// <summary>The RFC 1929 username (a copy the caller may keep).</summary>
    public byte[] Username { get; }

    /// <summary>Sessions of this user open now (authenticated and admitted, not yet ended).</summary>
    public long ActiveSessions { get; }

    /// <summary>Handshakes that authenticated as this user since start (refused ones included).</summary>
    public long Sessions { get; }

    /// <summary>Bytes relayed client to target for this user's sessions.</summary>
    public long BytesUp { get; }

    /// <summary>Bytes relayed target to client for this user's sessions.</summary>
    public long BytesDown { get; }

    /// <summary>Unix time in milliseconds of the last successful login, 0 when never.</summary>
    public long LastLoginUnixMilliseconds { get; }

    /// <summary>The last successful login, or null when never.</summary>
    public DateTimeOffset? LastLogin => LastLoginUnixMilliseconds == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(LastLoginUnixMilliseconds);

    /// <summary>Requests of this user refused since start: by the access policy, the session limit or the quota.</summary>
    public long Denials { get; }

    /// <summary>Bytes (both directions) counted against the user's quota in the current period; 0 without a quota.</summary>
    public long QuotaUsed { get; }
}
