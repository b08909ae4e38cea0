namespace Socks.Core.AccessLog;

/// <summary>What a UDP association relayed, for its access-log record (fields 13-16, docs/access-log.md).</summary>
public sealed class UdpAssociationSummary
{
    /// <summary>Datagrams relayed from the client to destinations (field 13).</summary>
    public long DatagramsClientToTarget { get; init; }

    /// <summary>Datagrams relayed from destinations to the client (field 14).</summary>
    public long DatagramsTargetToClient { get; init; }

    /// <summary>Distinct destinations (address and port) the client was allowed to send to (field 15).</summary>
    public int Destinations { get; init; }

    /// <summary>Datagrams dropped, both ways and for every reason (field 16).</summary>
    public long Dropped { get; init; }
}
