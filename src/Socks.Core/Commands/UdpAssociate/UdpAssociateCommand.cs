using System.Net.Sockets;
using Socks.Core.Protocol;
using Socks.Core.Server;

namespace Socks.Core.Commands.UdpAssociate;

/// <summary>
/// UDP ASSOCIATE (RFC 1928 §4, §6, §7): takes a second place under the connection limit, opens the association's
/// UDP sockets, answers with the relay's address (BND.ADDR: the address the client reached the proxy on) and port,
/// and relays datagrams until the TCP connection ends.
/// </summary>
/// <param name="settings">What associations share.</param>
internal sealed class UdpAssociateCommand(UdpRelaySettings settings) : ICommandHandler
{
    /// <inheritdoc/>
    public byte Command => (byte)SocksCommand.UdpAssociate;

    /// <inheritdoc/>
    public async Task ExecuteAsync(SocksSession session, HandshakeBuffer handshake)
    {
        if (!session.TryTakeAssociationPlace())
        {
            // X'01': the fault is the server's state, not the request; the access log says connection-limit.
            Log.AssociationLimit(settings.Logger, session.Id);
            session.SetEnd(new SessionOutcome(SessionEndReason.AssociationLimit));
            await session.ReplyAsync(ReplyCode.GeneralFailure).ConfigureAwait(false);
            return;
        }

        try
        {
            UdpAssociation association;
            try
            {
                association = UdpAssociation.Open(session, settings);
            }
            catch (SocketException exception)
            {
                Log.SocketsFailed(settings.Logger, session.Id, exception.SocketErrorCode);
                session.SetEnd(new SessionOutcome(SessionEndReason.ConnectFailedLocally) { Error = exception.SocketErrorCode });
                await session.ReplyAsync(ReplyCode.GeneralFailure).ConfigureAwait(false);
                return;
            }

            using (association)
            {
                await session.ReplyAsync(ReplyCode.Succeeded, association.RelayEndPoint).ConfigureAwait(false);
                await association.RunAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            session.ReleaseAssociationPlace();
        }
    }
}
