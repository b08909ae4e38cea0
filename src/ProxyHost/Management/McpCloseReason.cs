namespace ProxyHost.Management;

/// <summary>Why an admin connection ended (for the log).</summary>
internal enum McpCloseReason
{
    /// <summary>The client closed its side (EOF) between frames.</summary>
    ClientClosed,

    /// <summary>The client closed its side (EOF) in the middle of a frame.</summary>
    ClientClosedMidFrame,

    /// <summary>A frame had a VER other than 0x01: answered ERROR, then closed (docs/mcp-protocol.md §8).</summary>
    UnsupportedVersion,

    /// <summary>No progress for <see cref="McpManagementOptions.IdleTimeout"/>.</summary>
    IdleTimeout,

    /// <summary>The rest of a frame did not arrive within <see cref="McpManagementOptions.FrameTimeout"/> of its start.</summary>
    FrameTimeout,

    /// <summary>
    /// Closed at the connection limit to make room for a new client: it was idle the longest, or it was the newest
    /// connection and stalled in the middle of a frame.
    /// </summary>
    Replaced,

    /// <summary>The client's uid is not allowed (or unknown): answered ERROR once, then closed (docs/mcp-protocol.md §6).</summary>
    Refused,

    /// <summary>The listener is stopping.</summary>
    ServerStopping,

    /// <summary>The connection failed (reset, broken pipe).</summary>
    ConnectionError,

    /// <summary>A bug in the server; logged with its exception.</summary>
    InternalError,
}
