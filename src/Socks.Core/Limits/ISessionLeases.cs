namespace Socks.Core.Limits;

/// <summary>
/// Holds a user's session limit across several servers (a fleet, docs/fleet.md). A user store given as
/// <see cref="SocksServerOptions.Users"/> that also implements this interface is asked for a lease at every handshake of
/// a user WITH a session limit, after the server's own count admitted it; users without a session limit never reach it.
/// </summary>
/// <remarks>The lease is disposed once when the session ends. Implementations decide what an unreachable shared store
/// means (for example: admit on the server's own count); they must be safe for concurrent use.</remarks>
public interface ISessionLeases
{
    /// <summary>Takes one of the user's <paramref name="maxSessions"/> places, wherever the user's other sessions are.</summary>
    /// <param name="username">The RFC 1929 username. Read only until the returned task completes.</param>
    /// <param name="maxSessions">The user's session limit, at least 1.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away.</param>
    /// <returns>The lease, to dispose when the session ends; or null when every place is taken (the session is refused
    /// with REP X'02' and access-log reason <c>user-limit</c>).</returns>
    ValueTask<IDisposable?> TryAcquireAsync(ReadOnlyMemory<byte> username, int maxSessions, CancellationToken cancellationToken);
}
