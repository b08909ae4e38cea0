using System.Net.Sockets;

namespace McpCli.Commands;

/// <summary>Short lower-case wording for socket failures, like the C library's strerror.</summary>
internal static class SocketErrorText
{
    /// <summary>Describes a socket error, or the I/O error wrapping one.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="unix">True when it happened on a Unix socket, whose errors read differently.</param>
    public static string Describe(Exception exception, bool unix = false)
    {
        var socket = exception as SocketException ?? exception.InnerException as SocketException;
        if (socket is null)
        {
            return ErrorLine.Clause(exception.Message);
        }

        return socket.SocketErrorCode switch
        {
            // The runtime reports ENOENT on a Unix socket path as EADDRNOTAVAIL.
            SocketError.AddressNotAvailable when unix => "no such socket file (is socks5d running with -L unix:PATH?)",
            SocketError.ConnectionRefused when unix => "connection refused (nothing listens on the socket: socks5d is not running)",
            SocketError.ConnectionRefused => "connection refused",
            SocketError.ConnectionReset => "connection reset by peer",
            SocketError.ConnectionAborted => "connection aborted",
            SocketError.HostNotFound or SocketError.NoData => "host name not resolved",
            SocketError.TryAgain => "temporary failure in name resolution",
            SocketError.HostUnreachable => "no route to host",
            SocketError.HostDown => "host is down",
            SocketError.NetworkUnreachable => "network unreachable",
            SocketError.NetworkDown => "network is down",
            SocketError.TimedOut => "connection timed out",
            SocketError.AddressNotAvailable => "address not available",
            SocketError.AddressFamilyNotSupported => "address family not supported",
            SocketError.AccessDenied => "permission denied",
            SocketError.Shutdown => "connection shut down",
            _ => $"{socket.Message.TrimEnd('.', ' ')} ({socket.SocketErrorCode})",
        };
    }
}
