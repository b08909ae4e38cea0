using System.Net;
using Socks.Core.Protocol;

namespace Socks.Core.AccessLog;

/// <summary>What happened in one SOCKS session, as the access log records it.</summary>
public sealed record AccessLogRecord
{
    /// <summary>When the client connection was accepted (UTC).</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>When the session ended (UTC).</summary>
    public required DateTimeOffset End { get; init; }

    /// <summary>
    /// The RFC 1929 username: the name the client authenticated as or, when <see cref="EndReason"/> is
    /// <see cref="AccessLogEndReason.AuthFailed"/>, the name it tried (never the password). Null when the client did not
    /// send one.
    /// </summary>
    public byte[]? Username { get; init; }

    /// <summary>The client's address and port.</summary>
    public required IPEndPoint Client { get; init; }

    /// <summary>
    /// The destination host exactly as the client gave it: the raw DST.ADDR bytes of a domain name, or
    /// the textual form of an IPv4/IPv6 address. Null when the session ended before a request was read.
    /// </summary>
    public byte[]? RequestedHost { get; init; }

    /// <summary>The requested destination port (DST.PORT), or 0 when no request was read.</summary>
    public ushort RequestedPort { get; init; }

    /// <summary>The address and port actually connected, or null when no connection was made.</summary>
    public IPEndPoint? Connected { get; init; }

    /// <summary>The REP code sent to the client, or null when the session ended before any reply.</summary>
    public ReplyCode? Reply { get; init; }

    /// <summary>
    /// The request's CMD octet, or null when the session ended before a request was read. Any octet the client sent,
    /// also one that <see cref="SocksCommand"/> does not name (it was answered REP X'07').
    /// </summary>
    public SocksCommand? Command { get; init; }

    /// <summary>Why the session ended.</summary>
    public required AccessLogEndReason EndReason { get; init; }

    /// <summary>Bytes relayed from the client to the target.</summary>
    public long BytesClientToTarget { get; init; }

    /// <summary>Bytes relayed from the target to the client.</summary>
    public long BytesTargetToClient { get; init; }

    /// <summary>
    /// For a UDP ASSOCIATE that got REP X'00', what the association relayed (then <see cref="BytesClientToTarget"/> and
    /// <see cref="BytesTargetToClient"/> count the datagrams' DATA bytes); null for every other session.
    /// </summary>
    public UdpAssociationSummary? Udp { get; init; }

    /// <summary>
    /// For a session denied by a rules file (<see cref="EndReason"/> <see cref="AccessLogEndReason.Denied"/>), the line of
    /// the rule that denied it, or 0 when no rule matched (the default deny); null otherwise (docs/access-log.md, field 13).
    /// </summary>
    public int? DeniedByRule { get; init; }

    /// <summary>How long the session lasted.</summary>
    public TimeSpan Duration => End - Start;
}
