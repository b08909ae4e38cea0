namespace Mcp.Protocol;

/// <summary>The status byte of an MCP response (MCP memo §5).</summary>
public enum McpStatus : byte
{
    /// <summary>0x00 MONITORING_STATUS_OK: the operation succeeded.</summary>
    Ok = 0x00,

    /// <summary>0x01 MONITORING_STATUS_ERROR: internal or generic error (also a malformed request).</summary>
    Error = 0x01,

    /// <summary>0x02 MONITORING_STATUS_CMD_NOT_SUPPORTED: the command does not exist or is not implemented.</summary>
    CommandNotSupported = 0x02,

    /// <summary>0x03 MONITORING_STATUS_USER_NOT_FOUND: the named user does not exist.</summary>
    UserNotFound = 0x03,

    /// <summary>0x04 MONITORING_STATUS_USER_EXISTS: a user with that name already exists.</summary>
    UserExists = 0x04,

    /// <summary>0x05 MONITORING_STATUS_USER_LIMIT: the maximum number of users has been reached.</summary>
    UserLimit = 0x05,
}
