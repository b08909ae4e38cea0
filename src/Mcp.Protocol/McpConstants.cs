namespace Mcp.Protocol;

/// <summary>Fixed numbers of the MCP wire format (MCP memo §2, §3, §4) and of our profile of it (docs/mcp-protocol.md).</summary>
public static class McpConstants
{
    /// <summary>The only protocol version defined by the memo (VER = 0x01, memo §3).</summary>
    public const byte Version = 0x01;

    /// <summary>The default TCP port of the management service (memo §2).</summary>
    public const int DefaultPort = 8080;

    /// <summary>
    /// The default address of the management service: IPv4 loopback, as the service should listen on loopback only
    /// (docs/mcp-protocol.md §2, §9). socks5d binds it and mcpctl connects to it when none is given.
    /// </summary>
    public const string DefaultHost = "127.0.0.1";

    /// <summary>Length of the common header VER, CMD/STATUS, LEN (memo §3).</summary>
    public const int HeaderLength = 4;

    /// <summary>The largest payload a frame can announce: LEN is an unsigned 16-bit integer (memo §3).</summary>
    public const int MaxPayloadLength = ushort.MaxValue;

    /// <summary>The shortest user name or password: one byte (RFC 1929 §2; an empty credential is invalid).</summary>
    public const int MinCredentialLength = 1;

    /// <summary>The longest user name or password: 255 bytes, as ULEN and PLEN are one byte (memo §4.3, RFC 1929 §2).</summary>
    public const int MaxCredentialLength = byte.MaxValue;

    /// <summary>The most users a LIST_USERS response can report: COUNT is one byte (memo §4.2).</summary>
    public const int MaxUsers = byte.MaxValue;

    /// <summary>Payload length of a successful GET_METRICS response: six unsigned 64-bit integers (memo §4.1).</summary>
    public const int MetricsPayloadLength = 6 * sizeof(ulong);

    /// <summary>Largest valid ADD_USER request payload: ULEN + 255 + PLEN + 255 (memo §4.3).</summary>
    public const int MaxAddUserPayloadLength = 1 + MaxCredentialLength + 1 + MaxCredentialLength;

    /// <summary>Largest valid REMOVE_USER request payload: ULEN + 255 (memo §4.4).</summary>
    public const int MaxRemoveUserPayloadLength = 1 + MaxCredentialLength;

    /// <summary>Largest valid LIST_USERS response payload: COUNT + 255 entries of ULEN + 255 bytes (memo §4.2).</summary>
    public const int MaxListUsersPayloadLength = 1 + (MaxUsers * (1 + MaxCredentialLength));
}
