using System.Net.Sockets;

namespace Socks.Core.Relay;

/// <summary>How one direction of a relay ended.</summary>
internal enum CopyResult : byte
{
    /// <summary>The source sent EOF and sending on the destination was shut down.</summary>
    Completed,

    /// <summary>Reading from the source failed (reset, or the relay was aborted).</summary>
    ReadFailed,

    /// <summary>Writing to the destination failed (reset, or the relay was aborted).</summary>
    WriteFailed,
}

/// <summary>The result of one direction of a relay. Copiers report errors here instead of throwing.</summary>
/// <param name="Result">How the direction ended.</param>
/// <param name="Error">The socket error when it failed, otherwise <see cref="SocketError.Success"/>.</param>
internal readonly record struct CopyOutcome(CopyResult Result, SocketError Error)
{
    /// <summary>A direction that finished with EOF.</summary>
    public static CopyOutcome Completed => new(CopyResult.Completed, SocketError.Success);
}
