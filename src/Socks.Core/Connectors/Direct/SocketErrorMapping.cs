using System.Net.Sockets;
using Socks.Core.Protocol;

namespace Socks.Core.Connectors.Direct;

/// <summary>Turns the error of a failed connect into the RFC 1928 §6 REP code the client gets.</summary>
internal static class SocketErrorMapping
{
    /// <summary>Maps a connect error to a REP code.</summary>
    /// <param name="error">The <see cref="SocketException.SocketErrorCode"/> of the failed attempt.</param>
    /// <returns>
    /// X'05' for ECONNREFUSED; X'03' for ENETUNREACH and ENETDOWN (no route from here); X'04' for EHOSTUNREACH,
    /// EHOSTDOWN and the resolver's "no such name" / "no address" errors; X'06' for ETIMEDOUT (the kernel gave up
    /// on the SYN); X'01' for everything else.
    /// </returns>
    public static ReplyCode ToReplyCode(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => ReplyCode.ConnectionRefused,
        SocketError.NetworkUnreachable or SocketError.NetworkDown => ReplyCode.NetworkUnreachable,
        SocketError.HostUnreachable or SocketError.HostDown or SocketError.HostNotFound or SocketError.NoData => ReplyCode.HostUnreachable,
        SocketError.TimedOut => ReplyCode.TtlExpired,
        _ => ReplyCode.GeneralFailure,
    };
}
