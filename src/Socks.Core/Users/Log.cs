using Microsoft.Extensions.Logging;

namespace Socks.Core.Users;

/// <summary>Log messages of the user store (event ids 300-399).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Warning,
        Message = "{Problem}; the change is made (in the file and in memory) but might not survive a crash")]
    public static partial void UsersFileNotDurable(ILogger logger, string problem);
}
