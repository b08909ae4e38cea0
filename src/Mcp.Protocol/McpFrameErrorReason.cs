namespace Mcp.Protocol;

/// <summary>Why <see cref="McpRequestReader"/> or <see cref="McpResponseReader"/> rejected a frame.</summary>
public enum McpFrameErrorReason : byte
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>
    /// VER is not 0x01 (memo §3). Nothing after it can be trusted, so nothing is consumed and the frame cannot be
    /// skipped: a server answers ERROR and closes the connection.
    /// </summary>
    UnsupportedVersion,

    /// <summary>
    /// LEN is not allowed for this command, e.g. a payload on GET_METRICS, an empty REMOVE_USER, more than 512 bytes
    /// for ADD_USER, or a GET_METRICS response that is not 48 bytes (memo §4).
    /// </summary>
    InvalidLength,

    /// <summary>ULEN is 0: user names are 1 to 255 bytes (memo §4.2-§4.4, RFC 1929).</summary>
    EmptyUsername,

    /// <summary>The user name, as ULEN announces it, runs past the end of the payload (LEN).</summary>
    UsernameOverrunsPayload,

    /// <summary>An ADD_USER payload ends right after the user name: the PLEN byte is missing (memo §4.3).</summary>
    MissingPasswordLength,

    /// <summary>PLEN is 0: passwords are 1 to 255 bytes (memo §4.3, RFC 1929).</summary>
    EmptyPassword,

    /// <summary>The password, as PLEN announces it, runs past the end of the payload (LEN).</summary>
    PasswordOverrunsPayload,

    /// <summary>The payload (LEN) holds bytes after its last field.</summary>
    TrailingBytes,

    /// <summary>A LIST_USERS response holds a different number of entries than COUNT says (memo §4.2).</summary>
    UserCountMismatch,

    /// <summary>
    /// A TOGGLE_DISECTOR, GET_DISSECTOR or SET_DISSECTOR response, or a SET_DISSECTOR request, has a STATE other than
    /// 0x00 or 0x01 (memo §4.5, docs/mcp-protocol.md §13.4, §13.5).
    /// </summary>
    InvalidDissectorState,
}
