using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Socks.Core.Commands.UdpAssociate;

/// <summary>Log messages of UDP ASSOCIATE (event ids 450-469 of the Commands range).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 450, Level = LogLevel.Debug, Message = "Session {SessionId}: UDP association relaying at {Relay} for {Client}")]
    public static partial void Associated(ILogger logger, long sessionId, IPEndPoint relay, IPAddress client);

    [LoggerMessage(EventId = 451, Level = LogLevel.Debug, Message = "Session {SessionId}: no place for a UDP association under the connection limit; REP X'01'")]
    public static partial void AssociationLimit(ILogger logger, long sessionId);

    [LoggerMessage(EventId = 452, Level = LogLevel.Debug, Message = "Session {SessionId}: no datagram for {IdleTimeout}; closing the UDP association")]
    public static partial void IdleTimedOut(ILogger logger, long sessionId, TimeSpan idleTimeout);

    [LoggerMessage(EventId = 453, Level = LogLevel.Debug, Message = "Session {SessionId}: the UDP relay sockets could not be opened ({Error}); REP X'01'")]
    public static partial void SocketsFailed(ILogger logger, long sessionId, SocketError error);

    [LoggerMessage(EventId = 454, Level = LogLevel.Error, Message = "Session {SessionId}: the UDP relay failed")]
    public static partial void RelayFailed(ILogger logger, long sessionId, Exception exception);
}
