using System.Net;

namespace Socks.Core.Access.Rules;

/// <summary>What one evaluation of the rules looks at; a ref struct so that nothing of it reaches the heap.</summary>
internal ref struct RuleInput
{
    /// <summary>The client's address.</summary>
    public IPAddress Client;

    /// <summary>True once the client authenticated (RFC 1929); false for an anonymous session.</summary>
    public bool Authenticated;

    /// <summary>The authenticated user's name (empty when anonymous).</summary>
    public ReadOnlySpan<byte> User;

    /// <summary>The request's CMD octet.</summary>
    public byte Command;

    /// <summary>The destination name as the client gave it (ATYP X'03'), else empty.</summary>
    public ReadOnlySpan<byte> Name;

    /// <summary>The destination address: a literal in the request, or the resolved address; null when not known.</summary>
    public IPAddress? Address;

    /// <summary>True when no address is known yet but one will be at a later phase (a name before resolution, UDP).</summary>
    public bool AddressLater;

    /// <summary>The destination port, when known.</summary>
    public int Port;

    /// <summary>True when no port is known yet but one will be (UDP ASSOCIATE before its first datagram).</summary>
    public bool PortLater;
}
