using System.Net.Sockets;
using Socks.Core.AccessLog;
using Socks.Core.Metrics;

namespace Socks.Core.Server;

/// <summary>What the UDP ASSOCIATE handler uses of a session: the control connection, its counters, its place under the limit, and its end.</summary>
internal sealed partial class SocksSession
{
    private UdpAssociationSummary? _udp;

    /// <summary>The client's TCP connection: an association lives as long as it does.</summary>
    public Socket ControlConnection => _client;

    /// <summary>The session's byte counters (the association's loops write them, one writer per counter).</summary>
    public SessionTraffic Traffic => _traffic;

    /// <summary>
    /// Takes a second place under the connection limit for the association's UDP sockets, and charges the third
    /// descriptor they need to the descriptor budget (given back when the session ends).
    /// </summary>
    /// <returns>False when the server is full or the budget has no room (nothing taken).</returns>
    public bool TryTakeAssociationPlace()
    {
        if (!_server.TryTakeSlot())
        {
            return false;
        }

        if (!TryChargeDescriptors(1))
        {
            _server.ReleaseExtraSlot();
            return false;
        }

        return true;
    }

    /// <summary>Gives back the place of <see cref="TryTakeAssociationPlace"/>.</summary>
    public void ReleaseAssociationPlace() => _server.ReleaseExtraSlot();

    /// <summary>
    /// Records how a relayed association ended: what it relayed (the record's fields 8, 9 and 13-16), and why; an abort
    /// from outside (idle timeout, shutdown, revocation) is the cause, however the control connection saw it end.
    /// </summary>
    /// <param name="end">How the control connection ended.</param>
    /// <param name="summary">What the association relayed.</param>
    /// <param name="clientToTarget">DATA bytes sent to destinations.</param>
    /// <param name="targetToClient">DATA bytes sent to the client.</param>
    public void EndAssociation(SessionOutcome end, UdpAssociationSummary summary, long clientToTarget, long targetToClient)
    {
        _udp = summary;
        _clientToTarget = clientToTarget;
        _targetToClient = targetToClient;
        SetEnd(end);
        if (IsAborted)
        {
            ClassifyFailure(SocketError.OperationAborted);
        }
    }
}
