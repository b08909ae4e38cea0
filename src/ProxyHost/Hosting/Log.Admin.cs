using Microsoft.Extensions.Logging;

namespace ProxyHost.Hosting;

/// <summary>Log messages of the host about users and the management plane (event ids 20-39).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Error,
        Message = "{Command} answered ERROR: the users file could not be saved: {Reason}")]
    public static partial void UsersFileNotSaved(ILogger logger, string command, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information,
        Message = "Users: {FromFile} from users file {Path}, {FromCommandLine} from -u (not saved), at most {MaxUsers}")]
    public static partial void UsersLoaded(ILogger logger, int fromFile, string path, int fromCommandLine, int maxUsers);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning,
        Message = "Users file {Path} was readable or writable by others (mode {OldMode}); changed it to {NewMode}")]
    public static partial void UsersFileModeTightened(ILogger logger, string path, string oldMode, string newMode);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning,
        Message = "Users file {Path} is readable or writable by others (mode {Mode}) and could not be changed ({Reason}); run: chmod 600 {Path}")]
    public static partial void UsersFileModeLoose(ILogger logger, string path, string mode, string reason);

    [LoggerMessage(EventId = 24, Level = LogLevel.Warning,
        Message = "MCP listens on {Address}, not on loopback: MCP is unauthenticated plain text (passwords included) that anyone on the network can read; clients on other hosts have no uid and are refused (--mcp-allow-uid any would serve them)")]
    public static partial void ManagementNotLoopback(ILogger logger, string address);

    [LoggerMessage(EventId = 25, Level = LogLevel.Warning,
        Message = "MCP listens on {Address}, not on loopback, and --mcp-allow-uid any serves every client: MCP is unauthenticated plain text (passwords included), so anyone who reaches it can add users and switch the dissector; keep it behind a firewall")]
    public static partial void ManagementOpenToAnyClient(ILogger logger, string address);
}
