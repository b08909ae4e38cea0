using Microsoft.Extensions.Logging;

namespace Socks.Core.Hosting;

/// <summary>Log messages of the Generic Host integration (event ids 900-999).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 900, Level = LogLevel.Information,
        Message = "SOCKS5 server listening on {EndPoints} (at most {MaxConnections} connections)")]
    public static partial void Listening(ILogger logger, string endPoints, int maxConnections);

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "SOCKS5 server stopped; every session has ended")]
    public static partial void Stopped(ILogger logger);
}
