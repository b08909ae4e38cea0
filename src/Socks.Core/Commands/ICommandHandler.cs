using Socks.Core.Server;

namespace Socks.Core.Commands;

/// <summary>
/// Serves one SOCKS command (RFC 1928 §4 CMD) once the request was read and allowed: one implementation per command,
/// each in its own folder (<c>Connect/</c>, <c>Bind/</c>, <c>Resolve/</c>, <c>UdpAssociate/</c>), registered in <see cref="CommandTable"/>.
/// </summary>
internal interface ICommandHandler
{
    /// <summary>The CMD octet this handler serves.</summary>
    byte Command { get; }

    /// <summary>
    /// Runs the command to its end: sends the reply (or replies) through <paramref name="session"/>, relays, and sets
    /// the session's end reason. Socket errors on the client and aborts may be thrown; the session classifies them.
    /// </summary>
    /// <param name="session">The session; its context holds the request.</param>
    /// <param name="handshake">The handshake buffer: bytes the client sent behind its request are still pending in it.</param>
    /// <returns>A task that completes when the session is over.</returns>
    Task ExecuteAsync(SocksSession session, HandshakeBuffer handshake);
}
