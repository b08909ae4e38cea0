using System.Net;

namespace Socks.Core;

/// <summary>
/// Decides at method selection (RFC 1928 §3) whether a client may go on without authentication, so that some client
/// networks can use the proxy anonymously while others must authenticate (<see cref="SocksServerOptions.AnonymousAccess"/>).
/// </summary>
/// <remarks>
/// Called once per greeting, on the handshake path: it must be quick, thread-safe, must not throw and should not
/// allocate. Saying yes only opens method X'00'; the <see cref="IAccessPolicy"/> still decides each request.
/// </remarks>
public interface IAnonymousAccessPolicy
{
    /// <summary>Whether an anonymous session from <paramref name="client"/> could be allowed anything.</summary>
    /// <param name="client">The client's address and port.</param>
    /// <returns>True to offer method X'00' when the client offers it.</returns>
    bool MayAllowAnonymous(IPEndPoint client);
}
