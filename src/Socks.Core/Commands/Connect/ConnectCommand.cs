using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Socks.Core.Protocol;
using Socks.Core.Server;

namespace Socks.Core.Commands.Connect;

/// <summary>
/// CONNECT (RFC 1928 §4, §6): reach the destination through the connector, answer with the outbound socket's local
/// address as BND.ADDR/BND.PORT, then relay both directions until both are done.
/// </summary>
/// <param name="connector">Resolves and dials destinations.</param>
internal sealed class ConnectCommand(IConnector connector) : ICommandHandler
{
    /// <inheritdoc/>
    public byte Command => (byte)SocksCommand.Connect;

    /// <inheritdoc/>
    public async Task ExecuteAsync(SocksSession session, HandshakeBuffer handshake)
    {
        ConnectResult result;
        var started = Stopwatch.GetTimestamp();
        try
        {
            result = await connector.ConnectAsync(session.Context, session.Closed).ConfigureAwait(false);
            session.Metrics.ConnectCompleted(Stopwatch.GetElapsedTime(started), result.Succeeded);
        }
        catch (SocketException exception) when (!session.IsAborted)
        {
            // A local failure, not the destination's answer (no descriptor for the outbound socket,
            // say): the client still gets a reply, X'01' general failure.
            session.LogConnectFailedLocally(exception.SocketErrorCode);
            session.SetEnd(new SessionOutcome(SessionEndReason.ConnectFailedLocally) { Error = exception.SocketErrorCode });
            await session.ReplyAsync(ReplyCode.GeneralFailure).ConfigureAwait(false);
            return;
        }

        if (!result.Succeeded)
        {
            session.SetEnd(result.IsDenied
                ? new SessionOutcome(SessionEndReason.Denied) { DeniedAt = AccessPhase.Resolved }
                : new SessionOutcome(SessionEndReason.ConnectFailed));
            await session.ReplyAsync(result.Reply).ConfigureAwait(false);
            return;
        }

        var target = session.AttachTarget(result.Socket, result.RemoteEndPoint);
        await session.ReplyAsync(ReplyCode.Succeeded, target.LocalEndPoint as IPEndPoint).ConfigureAwait(false);
        await session.RelayAsync(target, handshake).ConfigureAwait(false);
    }
}
