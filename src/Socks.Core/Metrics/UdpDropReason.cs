namespace Socks.Core.Metrics;

/// <summary>Why the UDP relay of an association dropped a datagram (docs/socks5d.8, "UDP ASSOCIATE").</summary>
public enum UdpDropReason : byte
{
    /// <summary>It came to the relay's client side from another address than the client's (or another port than the one announced or first used).</summary>
    WrongSource = 0,

    /// <summary>Its header (RFC 1928 §7) was truncated, had an unknown ATYP, or an empty or unprintable name.</summary>
    Malformed = 1,

    /// <summary>FRAG was not 0: fragmentation is not supported.</summary>
    Fragmented = 2,

    /// <summary>The access policy refused its destination (every address of a name).</summary>
    Denied = 3,

    /// <summary>Its destination name did not resolve (or the resolver was saturated or out of time).</summary>
    Unresolved = 4,

    /// <summary>It went to a new destination when the association already had as many as it may.</summary>
    DestinationLimit = 5,

    /// <summary>It came from the outside from an address the client never sent to.</summary>
    UnknownSource = 6,

    /// <summary>The kernel refused to send it (too large once wrapped, no route, no IPv6 on this host).</summary>
    SendFailed = 7,
}
