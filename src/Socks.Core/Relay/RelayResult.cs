using System.Net.Sockets;

namespace Socks.Core.Relay;

/// <summary>How a relay ended as a whole.</summary>
internal enum RelayEnd : byte
{
    /// <summary>Both directions finished with EOF.</summary>
    Completed,

    /// <summary>The client leg failed (reset, broken pipe); the target leg was aborted.</summary>
    ClientFailed,

    /// <summary>The target leg failed; the client leg was aborted.</summary>
    TargetFailed,

    /// <summary>The relay was aborted from outside (idle timeout, shutdown, revocation).</summary>
    Aborted,
}

/// <summary>The outcome of a relay.</summary>
/// <param name="End">How it ended.</param>
/// <param name="Error">The socket error that ended it, when a leg failed.</param>
/// <param name="ClientToTarget">Bytes forwarded from the client to the target.</param>
/// <param name="TargetToClient">Bytes forwarded from the target to the client.</param>
internal readonly record struct RelayResult(RelayEnd End, SocketError Error, long ClientToTarget, long TargetToClient);
