namespace McpCli.Watch;

/// <summary>One user's row in the dashboard: the counters USER_STATS reports (docs/mcp-protocol.md §13.1).</summary>
/// <param name="Name">The user name as the server sent it (escaped when shown).</param>
/// <param name="ActiveSessions">Sessions open now.</param>
/// <param name="Sessions">Sessions since the server started.</param>
/// <param name="BytesUp">Bytes client to target since start.</param>
/// <param name="BytesDown">Bytes target to client since start.</param>
internal sealed record WatchUser(byte[] Name, ulong ActiveSessions, ulong Sessions, ulong BytesUp, ulong BytesDown)
{
    /// <summary>Both directions: what the table is sorted by.</summary>
    public ulong Traffic => BytesUp + BytesDown;
}
