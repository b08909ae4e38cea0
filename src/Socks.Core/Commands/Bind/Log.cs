using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Socks.Core.Commands.Bind;

/// <summary>Log messages of BIND (event ids 420-439 of the Commands range, 400-499). Session id first.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 420, Level = LogLevel.Debug, Message = "Session {SessionId}: BIND listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, long sessionId, IPEndPoint endPoint);

    [LoggerMessage(EventId = 421, Level = LogLevel.Debug, Message = "Session {SessionId}: BIND peer {Peer} is not the requested host; refused")]
    public static partial void PeerMismatch(ILogger logger, long sessionId, IPEndPoint peer);

    [LoggerMessage(EventId = 422, Level = LogLevel.Debug, Message = "Session {SessionId}: no BIND peer within {Timeout}")]
    public static partial void TimedOut(ILogger logger, long sessionId, TimeSpan timeout);

    [LoggerMessage(EventId = 423, Level = LogLevel.Warning, Message = "Session {SessionId}: BIND could not listen: {Error}")]
    public static partial void ListenFailed(ILogger logger, long sessionId, SocketError error);

    [LoggerMessage(EventId = 424, Level = LogLevel.Debug, Message = "Session {SessionId}: client closed while its BIND waited for the peer")]
    public static partial void ClientClosed(ILogger logger, long sessionId);
}
