namespace Socks.Core;

/// <summary>
/// Reaches the destination of a session's request: resolves it, asks the access policy about every resolved
/// address (<see cref="AccessPhase.Resolved"/>), and connects. The default is the Happy Eyeballs (RFC 8305)
/// direct connector; another one can chain through an upstream proxy.
/// </summary>
/// <remarks>
/// Called once per CONNECT, after the request was read and allowed at <see cref="AccessPhase.Requested"/>.
/// Implementations must be safe for concurrent use: many sessions dial at once.
/// </remarks>
public interface IConnector
{
    /// <summary>Connects to the destination of <see cref="SessionContext.Request"/>.</summary>
    /// <param name="session">The session; its <see cref="SessionContext.Request"/> is set.</param>
    /// <param name="cancellationToken">Cancelled when the session is aborted; the dial must then give up.</param>
    /// <returns>
    /// A connected socket that the session then owns, or the REP code to answer. Running out of time is a result
    /// (X'06'), not an exception.
    /// </returns>
    /// <exception cref="System.Net.Sockets.SocketException">
    /// A local failure (no descriptor for the outbound socket, say): the session answers X'01' general failure.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<ConnectResult> ConnectAsync(SessionContext session, CancellationToken cancellationToken);
}
