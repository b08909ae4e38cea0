using System.Globalization;
using System.Text;
using Socks.Core.Protocol;

namespace Socks.Core.Metrics;

/// <summary>
/// The server's counters at one instant. The first six values are the MCP GET_METRICS set, in its
/// order and with its definitions; the rest are extras for diagnostics.
/// </summary>
/// <param name="HistoricalConnections">SOCKS client connections accepted since start
/// (= <paramref name="SuccessfulConnections"/> + <paramref name="FailedConnections"/> + <see cref="NegotiatingConnections"/>).</param>
/// <param name="ConcurrentConnections">Client connections open now, handshake included.</param>
/// <param name="BytesTransferred">All bytes read and written on both legs of every session, handshake included
/// (a relayed byte counts twice: read from one leg, written to the other).</param>
/// <param name="SuccessfulConnections">Sessions that got REP X'00'.</param>
/// <param name="FailedConnections">Sessions that ended without REP X'00'.</param>
/// <param name="ClientBytes">Bytes read from and written to client sockets only.</param>
public readonly record struct SocksMetricsSnapshot(
    long HistoricalConnections,
    long ConcurrentConnections,
    long BytesTransferred,
    long SuccessfulConnections,
    long FailedConnections,
    long ClientBytes)
{
    /// <summary>Sessions accepted that have neither got REP X'00' nor ended yet.</summary>
    public long NegotiatingConnections => HistoricalConnections - SuccessfulConnections - FailedConnections;

    /// <summary>RFC 1929 sub-negotiations answered with a failure status (wrong user or password).</summary>
    public long AuthenticationFailures { get; init; }

    /// <summary>Greetings answered with METHOD X'FF' (no acceptable method).</summary>
    public long NoAcceptableMethods { get; init; }

    /// <summary>Sessions closed because their handshake did not finish within the handshake timeout.</summary>
    public long HandshakeTimeouts { get; init; }

    /// <summary>Connections accepted and closed at once because the server was at its connection limit
    /// (they are included in <see cref="HistoricalConnections"/> and <see cref="FailedConnections"/>).</summary>
    public long RejectedAtLimit { get; init; }

    /// <summary>Sessions closed by the idle timeout while relaying.</summary>
    public long IdleTimeouts { get; init; }

    /// <summary>
    /// Failed sessions per non-zero REP code they were sent (X'01' to X'08'). Sessions that failed before
    /// any reply (bad greeting, failed authentication, timeout, disconnect) are not in it. Empty when
    /// the snapshot is <c>default</c>.
    /// </summary>
    public IReadOnlyDictionary<ReplyCode, long> FailuresByReply
    {
        get => _failuresByReply ?? EmptyFailures;
        init => _failuresByReply = value;
    }

    private static readonly IReadOnlyDictionary<ReplyCode, long> EmptyFailures = new Dictionary<ReplyCode, long>();

    private static readonly IReadOnlyDictionary<UdpDropReason, long> EmptyDrops = new Dictionary<UdpDropReason, long>();

    private readonly IReadOnlyDictionary<UdpDropReason, long>? _udpDrops;

    /// <summary>UDP associations opened since start (each is also a session, counted in <see cref="HistoricalConnections"/>).</summary>
    public long UdpAssociations { get; init; }

    /// <summary>UDP associations open now.</summary>
    public long ActiveUdpAssociations { get; init; }

    /// <summary>Datagrams the UDP relay sent to destinations.</summary>
    public long UdpDatagramsClientToTarget { get; init; }

    /// <summary>Datagrams the UDP relay sent to clients.</summary>
    public long UdpDatagramsTargetToClient { get; init; }

    /// <summary>DATA bytes (without the RFC 1928 §7 header) the UDP relay sent to destinations.</summary>
    public long UdpBytesClientToTarget { get; init; }

    /// <summary>DATA bytes (without the header the relay added) the UDP relay sent to clients.</summary>
    public long UdpBytesTargetToClient { get; init; }

    /// <summary>Datagrams the UDP relay dropped, per reason (reasons with none left out). Empty when the snapshot is <c>default</c>.</summary>
    public IReadOnlyDictionary<UdpDropReason, long> UdpDrops
    {
        get => _udpDrops ?? EmptyDrops;
        init => _udpDrops = value;
    }

    /// <summary>The number of datagrams dropped for <paramref name="reason"/>.</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The count, 0 when none.</returns>
    public long UdpDroppedFor(UdpDropReason reason) => UdpDrops.TryGetValue(reason, out var count) ? count : 0;

    private readonly IReadOnlyDictionary<ReplyCode, long>? _failuresByReply;

    /// <summary>The number of failed sessions that were sent <paramref name="reply"/>.</summary>
    /// <param name="reply">A REP code.</param>
    /// <returns>The count, 0 when none (and always 0 for <see cref="ReplyCode.Succeeded"/>).</returns>
    public long FailuresWith(ReplyCode reply) =>
        FailuresByReply.TryGetValue(reply, out var count) ? count : 0;

    /// <inheritdoc/>
    public bool Equals(SocksMetricsSnapshot other)
    {
        if (HistoricalConnections != other.HistoricalConnections
            || ConcurrentConnections != other.ConcurrentConnections
            || BytesTransferred != other.BytesTransferred
            || SuccessfulConnections != other.SuccessfulConnections
            || FailedConnections != other.FailedConnections
            || ClientBytes != other.ClientBytes
            || AuthenticationFailures != other.AuthenticationFailures
            || NoAcceptableMethods != other.NoAcceptableMethods
            || HandshakeTimeouts != other.HandshakeTimeouts
            || RejectedAtLimit != other.RejectedAtLimit
            || IdleTimeouts != other.IdleTimeouts
            || UdpAssociations != other.UdpAssociations
            || ActiveUdpAssociations != other.ActiveUdpAssociations
            || UdpDatagramsClientToTarget != other.UdpDatagramsClientToTarget
            || UdpDatagramsTargetToClient != other.UdpDatagramsTargetToClient
            || UdpBytesClientToTarget != other.UdpBytesClientToTarget
            || UdpBytesTargetToClient != other.UdpBytesTargetToClient)
        {
            return false;
        }

        // Compared by content: two snapshots of the same state are equal.
        foreach (var code in Enum.GetValues<ReplyCode>())
        {
            if (FailuresWith(code) != other.FailuresWith(code))
            {
                return false;
            }
        }

        foreach (var reason in Enum.GetValues<UdpDropReason>())
        {
            if (UdpDroppedFor(reason) != other.UdpDroppedFor(reason))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The members of the record's <c>ToString()</c>: every counter, then the failures per REP code by name, e.g.
    /// <c>SocksMetricsSnapshot { HistoricalConnections = 3, ..., FailuresByReply = { ConnectionRefused = 1 } }</c>.
    /// </summary>
    private bool PrintMembers(StringBuilder builder)
    {
        var invariant = CultureInfo.InvariantCulture;
        builder.Append(invariant, $"HistoricalConnections = {HistoricalConnections}, ConcurrentConnections = {ConcurrentConnections}, ")
            .Append(invariant, $"BytesTransferred = {BytesTransferred}, SuccessfulConnections = {SuccessfulConnections}, ")
            .Append(invariant, $"FailedConnections = {FailedConnections}, ClientBytes = {ClientBytes}, ")
            .Append(invariant, $"NegotiatingConnections = {NegotiatingConnections}, AuthenticationFailures = {AuthenticationFailures}, ")
            .Append(invariant, $"NoAcceptableMethods = {NoAcceptableMethods}, HandshakeTimeouts = {HandshakeTimeouts}, ")
            .Append(invariant, $"RejectedAtLimit = {RejectedAtLimit}, IdleTimeouts = {IdleTimeouts}, FailuresByReply = {{");
        var separator = " ";
        foreach (var (code, count) in FailuresByReply.Where(failure => failure.Value != 0).OrderBy(failure => failure.Key))
        {
            builder.Append(invariant, $"{separator}{code} = {count}");
            separator = ", ";
        }

        builder.Append(" }");
        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(HistoricalConnections, ConcurrentConnections, BytesTransferred, SuccessfulConnections, FailedConnections, ClientBytes);
}
