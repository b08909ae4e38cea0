using System.Net;
using System.Net.Sockets;
using Socks.Core.Connectors.Direct;
using Socks.Core.Protocol;
using Socks.Core.Server;

namespace Socks.Core.Commands.Resolve;

/// <summary>
/// RESOLVE (X'F0'), Tor's extension of RFC 1928 (socks-extensions.txt §2, used by torsocks for getaddrinfo and
/// gethostbyname): look up the name in DST.ADDR and answer REP X'00' with one address as BND.ADDR (ATYP X'01' or
/// X'04') and BND.PORT 0; no connection is made, and the session ends after the reply.
/// </summary>
/// <remarks>
/// The lookup is a CONNECT's (<see cref="HostResolver"/>: bounded slots, the connect timeout as deadline): X'04'
/// when the name does not resolve, X'01' when the resolver is saturated, X'06' at the deadline. The answer is the
/// first IPv4 address, or the first IPv6 address for a name without one, because Tor answers IPv4 by default and
/// torsocks' gethostbyname can use only IPv4. An address or an address literal in DST.ADDR is answered as it is.
/// The access policy is asked at <see cref="AccessPhase.Requested"/> (the name as given) only: nothing is dialed,
/// so there is no <see cref="AccessPhase.Resolved"/> check.
/// </remarks>
/// <param name="resolver">The server's resolver.</param>
internal sealed class ResolveCommand(HostResolver resolver) : ICommandHandler
{
    /// <inheritdoc/>
    public byte Command => (byte)SocksCommand.Resolve;

    /// <inheritdoc/>
    public async Task ExecuteAsync(SocksSession session, HandshakeBuffer handshake)
    {
        var (addresses, failure) = await resolver.ResolveWithinDeadlineAsync(session.Context.Request!, session.Closed).ConfigureAwait(false);
        if (failure is { } code)
        {
            await FailAsync(session, code).ConfigureAwait(false);
            return;
        }

        var answer = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0];
        session.SetEnd(new SessionOutcome(SessionEndReason.Resolved));
        await session.ReplyAsync(ReplyCode.Succeeded, new IPEndPoint(answer, 0)).ConfigureAwait(false);
    }

    /// <summary>Ends a RESOLVE or RESOLVE_PTR that found nothing: the end reason, then the reply.</summary>
    /// <param name="session">The session.</param>
    /// <param name="reply">The REP code.</param>
    /// <returns>A task that completes when the reply is sent.</returns>
    internal static Task FailAsync(SocksSession session, ReplyCode reply)
    {
        session.SetEnd(new SessionOutcome(SessionEndReason.ResolveFailed));
        return session.ReplyAsync(reply);
    }
}
