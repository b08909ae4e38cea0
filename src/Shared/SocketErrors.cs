using System.Net.Sockets;

namespace Socks.Shared;

/// <summary>
/// Named classes of <see cref="SocketError"/>, so that every listener and connection decides the same way what is
/// a peer's doing, what is a shortage of ours, and what is a bug.
/// </summary>
internal static class SocketErrors
{
    /// <summary>
    /// True when an accept failed because the client gave up while it waited in the listen backlog (it reset,
    /// aborted or timed out before we took it): nothing to serve, and nothing wrong with the listener.
    /// </summary>
    /// <param name="error">The error of the failed accept.</param>
    /// <returns>True for <see cref="SocketError.ConnectionReset"/>, <see cref="SocketError.ConnectionAborted"/> and <see cref="SocketError.TimedOut"/>.</returns>
    public static bool IsResetInBacklog(SocketError error) =>
        IsConnectionReset(error) || IsConnectionAborted(error) || error == SocketError.TimedOut;

    /// <summary>
    /// True when the process or the system ran out of descriptors (EMFILE, ENFILE) or socket buffers (ENOBUFS):
    /// a condition that passes by itself once connections close, so worth waiting out, not reporting as a bug.
    /// </summary>
    /// <param name="error">The error.</param>
    /// <returns>True for <see cref="SocketError.TooManyOpenSockets"/> and <see cref="SocketError.NoBufferSpaceAvailable"/>.</returns>
    public static bool IsResourceExhaustion(SocketError error) =>
        error is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable;

    /// <summary>True when the peer reset the connection (ECONNRESET).</summary>
    /// <param name="error">The error.</param>
    /// <returns>True for <see cref="SocketError.ConnectionReset"/>.</returns>
    public static bool IsConnectionReset(SocketError error) => error == SocketError.ConnectionReset;

    /// <summary>True when the connection was aborted on the way in or by the network stack (ECONNABORTED).</summary>
    /// <param name="error">The error.</param>
    /// <returns>True for <see cref="SocketError.ConnectionAborted"/>.</returns>
    public static bool IsConnectionAborted(SocketError error) => error == SocketError.ConnectionAborted;

    /// <summary>
    /// Finds the socket error behind an I/O failure: a <see cref="SocketException"/> itself, or the one a stream
    /// (<see cref="System.Net.Sockets.NetworkStream"/>, a pipe over it) wrapped in an <see cref="IOException"/>.
    /// </summary>
    /// <param name="exception">The failure.</param>
    /// <param name="error">The socket error, or <see cref="SocketError.Success"/> when there is none.</param>
    /// <returns>True when <paramref name="exception"/> is a connection failure rather than a bug.</returns>
    public static bool TryGetSocketError(Exception exception, out SocketError error)
    {
        var socketException = exception as SocketException ?? exception.InnerException as SocketException;
        if (socketException is not null && exception is SocketException or IOException)
        {
            error = socketException.SocketErrorCode;
            return true;
        }

        error = SocketError.Success;
        return false;
    }
}
