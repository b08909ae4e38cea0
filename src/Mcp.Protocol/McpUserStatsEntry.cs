namespace Mcp.Protocol;

/// <summary>One user's entry of a USER_STATS page (docs/mcp-protocol.md §13.1): statistics since start, limits, quota used.</summary>
public sealed class McpUserStatsEntry
{
    /// <summary>Creates an entry.</summary>
    /// <param name="username">USERNAME, 1 to 255 bytes (referenced, not copied).</param>
    /// <param name="activeSessions">ACTIVE: sessions open now.</param>
    /// <param name="sessions">SESSIONS: handshakes that authenticated as this user since start.</param>
    /// <param name="bytesUp">BYTES_UP: bytes client to target since start.</param>
    /// <param name="bytesDown">BYTES_DOWN: bytes target to client since start.</param>
    /// <param name="lastLogin">LAST_LOGIN: Unix time in milliseconds of the last successful login, 0 = never.</param>
    /// <param name="denials">DENIALS: requests refused for this user since start.</param>
    /// <param name="limits">MAX_SESSIONS, RATE_UP, RATE_DOWN, QUOTA, PERIOD.</param>
    /// <param name="quotaUsed">QUOTA_USED: bytes counted in the current period.</param>
    /// <exception cref="ArgumentException">The user name is empty or longer than 255 bytes.</exception>
    public McpUserStatsEntry(ReadOnlyMemory<byte> username, uint activeSessions, ulong sessions, ulong bytesUp, ulong bytesDown, ulong lastLogin, ulong denials, McpUserLimits limits, ulong quotaUsed)
    {
        McpArguments.ThrowIfInvalidCredential(username.Length, "user name", nameof(username));
        Username = username;
        ActiveSessions = activeSessions;
        Sessions = sessions;
        BytesUp = bytesUp;
        BytesDown = bytesDown;
        LastLogin = lastLogin;
        Denials = denials;
        Limits = limits;
        QuotaUsed = quotaUsed;
    }

    /// <summary>Gets USERNAME.</summary>
    public ReadOnlyMemory<byte> Username { get; }

    /// <summary>Gets ACTIVE: sessions open now.</summary>
    public uint ActiveSessions { get; }

    /// <summary>Gets SESSIONS: handshakes that authenticated as this user since start.</summary>
    public ulong Sessions { get; }

    /// <summary>Gets BYTES_UP: bytes client to target since start.</summary>
    public ulong BytesUp { get; }

    /// <summary>Gets BYTES_DOWN: bytes target to client since start.</summary>
    public ulong BytesDown { get; }

    /// <summary>Gets LAST_LOGIN: Unix time in milliseconds of the last successful login, 0 = never.</summary>
    public ulong LastLogin { get; }

    /// <summary>Gets DENIALS: requests refused for this user since start (rules, limits, quota).</summary>
    public ulong Denials { get; }

    /// <summary>Gets the user's limits.</summary>
    public McpUserLimits Limits { get; }

    /// <summary>Gets QUOTA_USED: bytes counted in the current period.</summary>
    public ulong QuotaUsed { get; }

    /// <summary>Gets the entry's size on the wire: 1 + ULEN + 81.</summary>
    public int WireLength => 1 + Username.Length + McpExtensionCodec.UserStatsEntryFixedLength;
}
