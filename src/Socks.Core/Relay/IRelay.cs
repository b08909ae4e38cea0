namespace Socks.Core.Relay;

/// <summary>
/// Relays a connected client and target in both directions until both are done. One instance serves
/// every session of a server; what a session relays is in its <see cref="RelayRequest"/>. Today's
/// implementation is <see cref="UserSpaceRelay"/> (two copiers through a pooled buffer); a kernel
/// relay can take its place for sessions whose <see cref="RelayRequest.Hooks"/> need no bytes.
/// </summary>
internal interface IRelay
{
    /// <summary>
    /// Forwards <see cref="RelayRequest.PendingClientData"/> to the target, calls
    /// <see cref="RelayRequest.PendingForwarded"/>, then relays until both directions are done: EOF in
    /// one direction half-closes the other leg, a failure aborts both. Every byte read or written is
    /// counted in <see cref="RelayRequest.Traffic"/>.
    /// </summary>
    /// <param name="request">What to relay.</param>
    /// <returns>How the relay ended and the bytes it forwarded each way; never throws for socket errors.</returns>
    Task<RelayResult> RelayAsync(RelayRequest request);
}
