using Microsoft.Extensions.Logging;

namespace Socks.Core.Users;

/// <summary>Log messages of the user store (event ids 700-799, <see cref="EventIds.Users"/>).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Warning,
        Message = "{Problem}; the change is made (in the file and in memory) but might not survive a crash")]
    public static partial void UsersFileNotDurable(ILogger logger, string problem);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning,
        Message = "Client address {Address} failed to log in too often; its logins are refused without a password check for {Backoff} ({Suppressed} more addresses throttled since the last such warning)")]
    public static partial void AddressThrottled(ILogger logger, System.Net.IPAddress address, TimeSpan backoff, long suppressed);
}
