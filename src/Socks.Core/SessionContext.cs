using System.Net;
using Socks.Core.Protocol;

namespace Socks.Core;

/// <summary>
/// What a session is, as every seam sees it (access policy, connector, traffic observers, command handlers):
/// read-only to them, filled in by the server as the handshake goes on.
/// </summary>
/// <remarks>
/// One instance per client connection, created when the connection is accepted. <see cref="Method"/>,
/// <see cref="Username"/> and <see cref="Request"/> are set by the session's own flow (one thread at a time), so a
/// seam called by that flow always sees the values of the phases before it.
/// </remarks>
public sealed class SessionContext
{
    private byte[]? _username;
    private bool _denied;

    internal SessionContext(long id, IPEndPoint client, IPEndPoint? localEndPoint, TimeProvider timeProvider, CancellationToken closed)
    {
        Id = id;
        Client = client;
        LocalEndPoint = localEndPoint;
        TimeProvider = timeProvider;
        Start = timeProvider.GetUtcNow();
        StartTimestamp = timeProvider.GetTimestamp();
        Closed = closed;
    }

    /// <summary>The server-wide id of the session, as used in logs.</summary>
    public long Id { get; }

    /// <summary>The client's address and port.</summary>
    public IPEndPoint Client { get; }

    /// <summary>The address and port of this server that the client connected to, when the socket knows it.</summary>
    public IPEndPoint? LocalEndPoint { get; }

    /// <summary>The clock of the server: every timeout of the session runs on it.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>When the connection was accepted (UTC, from <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset Start { get; }

    /// <summary>
    /// <see cref="TimeProvider.GetTimestamp"/> when the connection was accepted, for measuring elapsed time with
    /// <see cref="TimeProvider.GetElapsedTime(long)"/>.
    /// </summary>
    public long StartTimestamp { get; }

    /// <summary>Cancelled when the session is aborted (handshake or idle timeout, shutdown, revocation).</summary>
    public CancellationToken Closed { get; }

    /// <summary>The authentication method chosen in the greeting (RFC 1928 §3); <see cref="AuthMethod.NoAcceptableMethods"/> before.</summary>
    public AuthMethod Method { get; internal set; } = AuthMethod.NoAcceptableMethods;

    /// <summary>True once the client authenticated with username/password (RFC 1929).</summary>
    public bool IsAuthenticated => Volatile.Read(ref _username) is not null;

    /// <summary>The RFC 1929 username once authenticated; empty for an anonymous session or before authentication.</summary>
    public ReadOnlyMemory<byte> Username => Volatile.Read(ref _username);

    /// <summary>The request (RFC 1928 §4) once it has been read; null before.</summary>
    public SocksRequest? Request { get; internal set; }

    /// <summary>The <see cref="AccessDecision.RuleLine"/> of the first denial of this session, for the access log.</summary>
    internal int? DeniedByRule { get; private set; }

    /// <summary>Remembers the rule behind the session's first denial (the one that ends it or answers it).</summary>
    /// <param name="decision">A denial.</param>
    internal void NoteDenial(AccessDecision decision)
    {
        if (!_denied)
        {
            _denied = true;
            DeniedByRule = decision.RuleLine;
        }
    }

    /// <summary>The username bytes, for the engine's own records (the array is never handed to seams to change).</summary>
    internal byte[]? UsernameBytes => Volatile.Read(ref _username);

    /// <summary>Records the authenticated user; read from other threads (revocation), hence published.</summary>
    internal void SetUsername(byte[] username) => Volatile.Write(ref _username, username);
}
