using System.Net;
using System.Text;
using Socks.Core.Connectors.Direct;
using Socks.Core.Protocol;
using Socks.Core.Server;

namespace Socks.Core.Commands.Resolve;

/// <summary>
/// RESOLVE_PTR (X'F1'), Tor's extension of RFC 1928 (socks-extensions.txt §2): look up the name of the IPv4 or IPv6
/// address in DST.ADDR and answer REP X'00' with it as a DOMAINNAME (ATYP X'03') in BND.ADDR, BND.PORT 0.
/// </summary>
/// <remarks>
/// The lookup (getnameinfo) runs in the server's lookup slots with the connect timeout as deadline, like a forward
/// lookup: X'04' when the address has no name, X'01' when the resolver is saturated, X'06' at the deadline. A
/// DOMAINNAME in DST.ADDR is taken only when it is an address literal; any other name is answered X'08' (address
/// type not supported). The access policy is asked at <see cref="AccessPhase.Requested"/> only.
/// </remarks>
/// <param name="resolver">The server's resolver.</param>
internal sealed class ResolvePtrCommand(HostResolver resolver) : ICommandHandler
{
    /// <inheritdoc/>
    public byte Command => (byte)SocksCommand.ResolvePtr;

    /// <inheritdoc/>
    public async Task ExecuteAsync(SocksSession session, HandshakeBuffer handshake)
    {
        var request = session.Context.Request!;
        var address = request.Address;
        if (address is null && !IPAddress.TryParse(Encoding.ASCII.GetString(request.DomainName!), out address))
        {
            await ResolveCommand.FailAsync(session, ReplyCode.AddressTypeNotSupported).ConfigureAwait(false);
            return;
        }

        var (name, failure) = await resolver.ReverseWithinDeadlineAsync(address, session.Closed).ConfigureAwait(false);
        if (failure is { } code)
        {
            await ResolveCommand.FailAsync(session, code).ConfigureAwait(false);
            return;
        }

        session.SetEnd(new SessionOutcome(SessionEndReason.Resolved));
        await session.ReplyAsync(ReplyCode.Succeeded, name).ConfigureAwait(false);
    }
}
