using Mcp.Protocol;

namespace McpCli;

/// <summary>
/// Process exit codes of <c>mcpctl</c>. A non-OK MCP status maps to its own status byte (memo §5),
/// so a script can read the server's answer from <c>$?</c>; the rest follow sysexits.h.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command succeeded (MCP status OK).</summary>
    public const int Ok = 0;

    /// <summary>The server answered MONITORING_STATUS_ERROR (0x01).</summary>
    public const int ServerError = 1;

    /// <summary>The server answered MONITORING_STATUS_CMD_NOT_SUPPORTED (0x02).</summary>
    public const int CommandNotSupported = 2;

    /// <summary>The server answered MONITORING_STATUS_USER_NOT_FOUND (0x03).</summary>
    public const int UserNotFound = 3;

    /// <summary>The server answered MONITORING_STATUS_USER_EXISTS (0x04).</summary>
    public const int UserExists = 4;

    /// <summary>The server answered MONITORING_STATUS_USER_LIMIT (0x05).</summary>
    public const int UserLimit = 5;

    /// <summary>EX_USAGE: unknown verb, missing or invalid argument.</summary>
    public const int Usage = 64;

    /// <summary>EX_UNAVAILABLE: cannot connect, connection lost, timed out, or malformed response.</summary>
    public const int Unavailable = 69;

    /// <summary>EX_SOFTWARE: a bug in mcpctl (an exception nobody expected).</summary>
    public const int Software = 70;

    /// <summary>
    /// EX_NOPERM: this user may not administer the server: the server refused the connection (socks5d serves only the
    /// uids of --mcp-allow-uid), or the Unix socket's permissions do not let this user connect. Retrying does not help.
    /// </summary>
    public const int NoPermission = 77;

    /// <summary>The exit code for a non-OK status the memo defines, or null for an undefined status byte.</summary>
    public static int? ForStatus(McpStatus status) => status switch
    {
        McpStatus.Error => ServerError,
        McpStatus.CommandNotSupported => CommandNotSupported,
        McpStatus.UserNotFound => UserNotFound,
        McpStatus.UserExists => UserExists,
        McpStatus.UserLimit => UserLimit,
        _ => null,
    };

    /// <summary>The "Exit codes:" section shared by <c>--help</c> and docs/mcpctl.md.</summary>
    public static readonly IReadOnlyList<(int Code, string Meaning)> Table =
    [
        (Ok, "success"),
        (ServerError, "the server answered ERROR"),
        (CommandNotSupported, "the server answered CMD_NOT_SUPPORTED"),
        (UserNotFound, "the server answered USER_NOT_FOUND"),
        (UserExists, "the server answered USER_EXISTS"),
        (UserLimit, "the server answered USER_LIMIT"),
        (Usage, "usage error: unknown verb, missing or invalid argument"),
        (Unavailable, "cannot connect, connection lost, timed out, or malformed response"),
        (Software, "internal error in mcpctl"),
        (NoPermission, "not allowed: refused by the server, or by the socket's permissions"),
    ];
}
