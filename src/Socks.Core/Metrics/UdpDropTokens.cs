namespace Socks.Core.Metrics;

/// <summary>The names of the <see cref="UdpDropReason"/>s as the meter tags and the documentation write them.</summary>
internal static class UdpDropTokens
{
    /// <summary>The token of <paramref name="reason"/>.</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>A lower-case token such as <c>wrong-source</c>.</returns>
    public static string Token(UdpDropReason reason) => reason switch
    {
        UdpDropReason.WrongSource => "wrong-source",
        UdpDropReason.Malformed => "malformed",
        UdpDropReason.Fragmented => "fragmented",
        UdpDropReason.Denied => "denied",
        UdpDropReason.Unresolved => "unresolved",
        UdpDropReason.DestinationLimit => "destination-limit",
        UdpDropReason.UnknownSource => "unknown-source",
        UdpDropReason.SendFailed => "send-failed",
        _ => "other",
    };
}
