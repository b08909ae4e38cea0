using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Socks.Core.Protocol;
using Socks.Core.Server;

namespace Socks.Core.Metrics;

/// <summary>
/// The server's counters. Writers never wait for readers: every update is a handful of
/// <see cref="Interlocked"/> operations (plus, once per session, an add to and a remove from the
/// registry of open sessions), and relayed bytes are counted per session without any.
/// <see cref="Snapshot"/> returns a state the counters really had at one instant.
/// </summary>
/// <remarks>
/// Two groups, chosen by how often they change:
/// <list type="bullet">
/// <item>Session life cycle (accepted, succeeded, ended, and their breakdowns) changes a few times per
/// session. Each multi-counter update is bracketed by a multi-writer sequence lock: a writer increments
/// <c>_begun</c>, updates its counters, then increments <c>_finished</c>. A reader reads
/// <c>_finished</c>, the counters, then <c>_begun</c>, and retries unless the two are equal: since
/// <c>_begun</c> never trails <c>_finished</c> and both only grow, equality proves no update was in
/// flight when the reader started and none began before it finished, so the values it read are the
/// state at one instant. Writers are never blocked; a reader retries only while updates overlap it,
/// which at a few updates per session is rare and short.</item>
/// <item>Bytes change on every relayed chunk, so they are not counted here per chunk: each session
/// counts its own in a <see cref="SessionTraffic"/> (single-writer fields, no interlocked operation),
/// registered as open by <see cref="OpenTraffic"/>. <see cref="SessionEnded"/> adds the session's
/// bytes to the closed totals and removes it from the open registry inside its sequence-lock
/// bracket; the snapshot reads the closed totals and sums the open registry inside its read
/// bracket. So a session that ends while a snapshot runs makes the snapshot retry, and every
/// snapshot counts each session's bytes exactly once: in the closed totals or live.</item>
/// </list>
/// Current values (concurrent, negotiating) are derived from monotonic counters inside the
/// consistent group, so historical = successful + failed + negotiating and
/// concurrent &lt;= historical hold in every snapshot. Bytes transferred is client bytes plus target
/// bytes, each at least 0, so client bytes &lt;= bytes transferred; and no counter a snapshot sums
/// ever goes down, so neither do the byte totals between two snapshots.
/// </remarks>
internal sealed class SocksMetrics : IDisposable
{
    /// <summary>The name of the meter all instruments belong to.</summary>
    public const string MeterName = "Socks.Core";

    private const int ReplyCodeCount = 9;

    private readonly Meter? _ownedMeter;

    // Life-cycle group, guarded by the sequence lock (_begun/_finished).
    private long _begun;
    private long _finished;
    private long _accepted;
    private long _succeeded;
    private long _ended;
    private long _failed;
    private long _authenticationFailures;
    private long _noAcceptableMethods;
    private long _handshakeTimeouts;
    private long _idleTimeouts;
    private long _rejectedAtLimit;
    private readonly long[] _failuresByReply = new long[ReplyCodeCount];

    // Bytes of ended sessions, guarded by the sequence lock like the life-cycle group.
    private long _closedClientBytes;
    private long _closedTargetBytes;

    // Bytes of open sessions are read live from here; changed only inside a sequence-lock bracket
    // when a session ends (and, without effect on any sum, when one registers with zero bytes).
    private readonly ConcurrentDictionary<SessionTraffic, byte> _openTraffic = new();

    /// <summary>Bucket boundaries of the duration histograms, in seconds: 0.5 ms to 10 s.</summary>
    internal static readonly IReadOnlyList<double> DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Histogram<double> _handshakeDuration;
    private readonly Histogram<double> _connectDuration;

    // UDP associations: counted like sessions (inside the sequence lock), their datagrams like session bytes
    // (each association's own AssociationTraffic, summed live while open, moved into the totals when it ends).
    private const int DropReasonCount = 8;
    private long _associations;
    private long _associationsEnded;
    private long _closedDatagramsClientToTarget;
    private long _closedDatagramsTargetToClient;
    private long _closedUdpBytesClientToTarget;
    private long _closedUdpBytesTargetToClient;
    private readonly long[] _closedDrops = new long[DropReasonCount];
    private readonly ConcurrentDictionary<AssociationTraffic, byte> _openAssociations = new();
    private static readonly IReadOnlyDictionary<UdpDropReason, long> NoDrops = new Dictionary<UdpDropReason, long>();

    /// <summary>Creates the counters and publishes them on a meter named <see cref="MeterName"/>.</summary>
    /// <param name="meterFactory">The factory to create the meter from, or null to create (and own) one.</param>
    public SocksMetrics(IMeterFactory? meterFactory)
    {
        var version = typeof(SocksMetrics).Assembly.GetName().Version?.ToString();
        Meter meter;
        if (meterFactory is null)
        {
            _ownedMeter = new Meter(MeterName, version);
            meter = _ownedMeter;
        }
        else
        {
            meter = meterFactory.Create(new MeterOptions(MeterName) { Version = version });
        }

        meter.CreateObservableCounter("socks.connections", () => Volatile.Read(ref _accepted), "{connection}",
            "SOCKS client connections accepted since start.");
        meter.CreateObservableGauge("socks.connections.active", () => Read(includeBytes: false).ConcurrentConnections, "{connection}",
            "SOCKS client connections open now, handshake included.");
        meter.CreateObservableGauge("socks.connections.negotiating", () => Read(includeBytes: false).NegotiatingConnections, "{connection}",
            "SOCKS client connections that have neither got a success reply nor ended.");
        meter.CreateObservableCounter("socks.sessions.succeeded", () => Volatile.Read(ref _succeeded), "{session}",
            "Sessions that got REP 00.");
        meter.CreateObservableCounter("socks.sessions.failed", ObserveFailures, "{session}",
            "Sessions that ended without REP 00, tagged with the REP code sent (none when no reply was sent).");
        meter.CreateObservableCounter("socks.io", ObserveBytes, "By",
            "Bytes read and written on both legs of every session, tagged by leg.");
        meter.CreateObservableCounter("socks.auth.failures", () => Volatile.Read(ref _authenticationFailures), "{failure}",
            "RFC 1929 sub-negotiations that failed.");
        meter.CreateObservableCounter("socks.auth.no_acceptable_method", () => Volatile.Read(ref _noAcceptableMethods), "{greeting}",
            "Greetings answered with METHOD FF.");
        meter.CreateObservableCounter("socks.timeouts", ObserveTimeouts, "{session}",
            "Sessions closed by a timeout, tagged by which.");
        meter.CreateObservableCounter("socks.connections.rejected", () => Volatile.Read(ref _rejectedAtLimit), "{connection}",
            "Connections closed at once because the server was at its connection limit.");
        var durations = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _handshakeDuration = meter.CreateHistogram("socks.handshake.duration", "s",
            "From accepting the connection to having read the request (greeting and authentication included).", tags: null, durations);
        _connectDuration = meter.CreateHistogram("socks.connect.duration", "s",
            "How long reaching the destination of a CONNECT took (name resolution included), tagged by outcome.", tags: null, durations);

        meter.CreateObservableCounter("socks.udp.associations", () => Volatile.Read(ref _associations), "{association}",
            "UDP associations opened since start.");
        meter.CreateObservableGauge("socks.udp.associations.active", () => Read(includeBytes: false).ActiveUdpAssociations, "{association}",
            "UDP associations open now.");
        meter.CreateObservableCounter("socks.udp.datagrams", ObserveDatagrams, "{datagram}",
            "Datagrams relayed by UDP associations, tagged by direction.");
        meter.CreateObservableCounter("socks.udp.io", ObserveUdpBytes, "By",
            "DATA bytes relayed by UDP associations (without the RFC 1928 headers), tagged by direction.");
        meter.CreateObservableCounter("socks.udp.dropped", ObserveDrops, "{datagram}",
            "Datagrams the UDP relay dropped, tagged by reason.");
        Users = new UserActivityTable(meter);
    }

    /// <summary>The per-user counters (instruments tagged <c>socks.user</c>).</summary>
    public UserActivityTable Users { get; }

    /// <summary>A session read its request: the handshake took <paramref name="elapsed"/>.</summary>
    /// <param name="elapsed">From accept to the request.</param>
    public void HandshakeCompleted(TimeSpan elapsed) => _handshakeDuration.Record(elapsed.TotalSeconds);

    /// <summary>A CONNECT reached its destination, or gave up, after <paramref name="elapsed"/>.</summary>
    /// <param name="elapsed">The connector's time.</param>
    /// <param name="succeeded">Whether the destination was reached.</param>
    public void ConnectCompleted(TimeSpan elapsed, bool succeeded) =>
        _connectDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("socks.outcome", succeeded ? "ok" : "failed"));

    /// <summary>A client connection was accepted and a session starts.</summary>
    public void SessionAccepted()
    {
        Interlocked.Increment(ref _begun);
        Interlocked.Increment(ref _accepted);
        Interlocked.Increment(ref _finished);
    }

    /// <summary>The session was sent REP X'00'.</summary>
    public void SessionSucceeded()
    {
        Interlocked.Increment(ref _begun);
        Interlocked.Increment(ref _succeeded);
        Interlocked.Increment(ref _finished);
    }

    /// <summary>
    /// Registers the byte counters of a new session as open: snapshots read them live until
    /// <see cref="SessionEnded"/> moves them into the totals.
    /// </summary>
    /// <returns>The session's counters, all zero.</returns>
    public SessionTraffic OpenTraffic()
    {
        var traffic = new SessionTraffic();

        // Outside the sequence lock: a counter set that holds zero bytes changes no sum, whether a
        // snapshot running now sees it or not.
        _openTraffic.TryAdd(traffic, 0);
        return traffic;
    }

    /// <summary>A session accepted by <see cref="SessionAccepted"/> ended.</summary>
    /// <param name="outcome">How it ended.</param>
    /// <param name="traffic">The session's byte counters from <see cref="OpenTraffic"/>; they must
    /// not change any more (every read and write of the session is over).</param>
    public void SessionEnded(in SessionOutcome outcome, SessionTraffic traffic)
    {
        Interlocked.Increment(ref _begun);
        Interlocked.Increment(ref _ended);
        if (!outcome.Succeeded)
        {
            Interlocked.Increment(ref _failed);
            // A BIND that got only its first reply (X'00') failed without a failure code.
            if (outcome.Reply is { } reply && reply != ReplyCode.Succeeded && (int)reply < ReplyCodeCount)
            {
                Interlocked.Increment(ref _failuresByReply[(int)reply]);
            }
        }

        switch (outcome.Reason)
        {
            case SessionEndReason.AuthenticationFailed:
                Interlocked.Increment(ref _authenticationFailures);
                break;
            case SessionEndReason.NoAcceptableMethod:
                Interlocked.Increment(ref _noAcceptableMethods);
                break;
            case SessionEndReason.HandshakeTimeout:
                Interlocked.Increment(ref _handshakeTimeouts);
                break;
            case SessionEndReason.IdleTimeout:
                Interlocked.Increment(ref _idleTimeouts);
                break;
        }

        // In the bracket, so no snapshot sees the bytes both in the totals and live, or in neither.
        Interlocked.Add(ref _closedClientBytes, traffic.ClientBytes);
        Interlocked.Add(ref _closedTargetBytes, traffic.TargetBytes);
        _openTraffic.TryRemove(traffic, out _);
        Interlocked.Increment(ref _finished);
    }

    /// <summary>A UDP association starts relaying: counts it and registers its counters as open.</summary>
    /// <returns>The association's counters, all zero.</returns>
    public AssociationTraffic OpenAssociation()
    {
        var traffic = new AssociationTraffic();
        Interlocked.Increment(ref _begun);
        Interlocked.Increment(ref _associations);
        _openAssociations.TryAdd(traffic, 0);
        Interlocked.Increment(ref _finished);
        return traffic;
    }

    /// <summary>A UDP association from <see cref="OpenAssociation"/> ended; its counters must not change any more.</summary>
    /// <param name="traffic">Its counters.</param>
    public void AssociationEnded(AssociationTraffic traffic)
    {
        Interlocked.Increment(ref _begun);
        Interlocked.Increment(ref _associationsEnded);
        Interlocked.Add(ref _closedDatagramsClientToTarget, traffic.DatagramsClientToTarget);
        Interlocked.Add(ref _closedDatagramsTargetToClient, traffic.DatagramsTargetToClient);
        Interlocked.Add(ref _closedUdpBytesClientToTarget, traffic.BytesClientToTarget);
        Interlocked.Add(ref _closedUdpBytesTargetToClient, traffic.BytesTargetToClient);
        for (var i = 0; i < DropReasonCount; i++)
        {
            Interlocked.Add(ref _closedDrops[i], traffic.DroppedFor((UdpDropReason)i));
        }

        _openAssociations.TryRemove(traffic, out _);
        Interlocked.Increment(ref _finished);
    }

    /// <summary>A connection was accepted and closed at once because the server was full.</summary>
    public void ConnectionRejectedAtLimit()
    {
        Interlocked.Increment(ref _begun);
        Interlocked.Increment(ref _accepted);
        Interlocked.Increment(ref _ended);
        Interlocked.Increment(ref _failed);
        Interlocked.Increment(ref _rejectedAtLimit);
        Interlocked.Increment(ref _finished);
    }

    /// <summary>Reads all counters as they were at one instant, with the bytes of open sessions.</summary>
    /// <returns>The snapshot.</returns>
    public SocksMetricsSnapshot Snapshot() => Read(includeBytes: true);

    /// <inheritdoc/>
    public void Dispose() => _ownedMeter?.Dispose();

    /// <summary>Reads the counters at one instant.</summary>
    /// <param name="includeBytes">False for instruments that need no bytes: then the open sessions are
    /// not summed (the read is as short as it was before bytes were counted per session) and both byte
    /// values are 0.</param>
    private SocksMetricsSnapshot Read(bool includeBytes)
    {
        Span<long> byReply = stackalloc long[ReplyCodeCount];
        var spin = default(SpinWait);
        long accepted, succeeded, ended, failed, authFailures, noMethod, handshakeTimeouts, idleTimeouts, rejected;
        long clientBytes = 0, targetBytes = 0;
        long associations, associationsEnded;
        Span<long> udp = stackalloc long[4];
        Span<long> drops = stackalloc long[DropReasonCount];
        while (true)
        {
            var finished = Volatile.Read(ref _finished);
            accepted = Volatile.Read(ref _accepted);
            succeeded = Volatile.Read(ref _succeeded);
            ended = Volatile.Read(ref _ended);
            failed = Volatile.Read(ref _failed);
            authFailures = Volatile.Read(ref _authenticationFailures);
            noMethod = Volatile.Read(ref _noAcceptableMethods);
            handshakeTimeouts = Volatile.Read(ref _handshakeTimeouts);
            idleTimeouts = Volatile.Read(ref _idleTimeouts);
            rejected = Volatile.Read(ref _rejectedAtLimit);
            associations = Volatile.Read(ref _associations);
            associationsEnded = Volatile.Read(ref _associationsEnded);
            for (var i = 0; i < ReplyCodeCount; i++)
            {
                byReply[i] = Volatile.Read(ref _failuresByReply[i]);
            }

            if (includeBytes)
            {
                // Between _finished and _begun: a session ending now moves its bytes from the registry
                // to the totals inside its bracket, so this read is retried instead of counting it twice
                // or not at all. Enumerating the dictionary takes no lock.
                clientBytes = Volatile.Read(ref _closedClientBytes);
                targetBytes = Volatile.Read(ref _closedTargetBytes);
                foreach (var (traffic, _) in _openTraffic)
                {
                    clientBytes += traffic.ClientBytes;
                    targetBytes += traffic.TargetBytes;
                }

                // A server that never had an association pays nothing more here, and one with none open
                // enumerates no registry: both counts are read in this bracket, so they match the registry.
                if (associations != 0)
                {
                    ReadUdp(udp, drops, anyOpen: associations != associationsEnded);
                }
            }

            if (Volatile.Read(ref _begun) == finished)
            {
                break;
            }

            spin.SpinOnce();
        }

        var failures = new Dictionary<ReplyCode, long>();
        for (var i = 1; i < ReplyCodeCount; i++)
        {
            if (byReply[i] != 0)
            {
                failures[(ReplyCode)i] = byReply[i];
            }
        }

        return new SocksMetricsSnapshot(
            HistoricalConnections: accepted,
            ConcurrentConnections: accepted - ended,
            BytesTransferred: clientBytes + targetBytes,
            SuccessfulConnections: succeeded,
            FailedConnections: failed,
            ClientBytes: clientBytes)
        {
            AuthenticationFailures = authFailures,
            NoAcceptableMethods = noMethod,
            HandshakeTimeouts = handshakeTimeouts,
            IdleTimeouts = idleTimeouts,
            RejectedAtLimit = rejected,
            FailuresByReply = failures,
            UdpAssociations = associations,
            ActiveUdpAssociations = associations - associationsEnded,
            UdpDatagramsClientToTarget = udp[0],
            UdpDatagramsTargetToClient = udp[1],
            UdpBytesClientToTarget = udp[2],
            UdpBytesTargetToClient = udp[3],
            UdpDrops = DropsOf(drops),
        };
    }

    /// <summary>Sums the UDP counters, closed and (when <paramref name="anyOpen"/>) open, inside the caller's read bracket.</summary>
    private void ReadUdp(Span<long> udp, Span<long> drops, bool anyOpen)
    {
        udp[0] = Volatile.Read(ref _closedDatagramsClientToTarget);
        udp[1] = Volatile.Read(ref _closedDatagramsTargetToClient);
        udp[2] = Volatile.Read(ref _closedUdpBytesClientToTarget);
        udp[3] = Volatile.Read(ref _closedUdpBytesTargetToClient);
        for (var i = 0; i < DropReasonCount; i++)
        {
            drops[i] = Volatile.Read(ref _closedDrops[i]);
        }

        if (!anyOpen)
        {
            return;
        }

        foreach (var (traffic, _) in _openAssociations)
        {
            udp[0] += traffic.DatagramsClientToTarget;
            udp[1] += traffic.DatagramsTargetToClient;
            udp[2] += traffic.BytesClientToTarget;
            udp[3] += traffic.BytesTargetToClient;
            for (var i = 0; i < DropReasonCount; i++)
            {
                drops[i] += traffic.DroppedFor((UdpDropReason)i);
            }
        }
    }

    private static IReadOnlyDictionary<UdpDropReason, long> DropsOf(ReadOnlySpan<long> drops)
    {
        // One shared empty set in the usual case: a snapshot allocates nothing more for UDP.
        if (!drops.ContainsAnyExcept(0L))
        {
            return NoDrops;
        }

        var result = new Dictionary<UdpDropReason, long>();
        for (var i = 0; i < drops.Length; i++)
        {
            if (drops[i] != 0)
            {
                result[(UdpDropReason)i] = drops[i];
            }
        }

        return result;
    }

    private IEnumerable<Measurement<long>> ObserveDatagrams()
    {
        var snapshot = Snapshot();
        yield return new Measurement<long>(snapshot.UdpDatagramsClientToTarget, new KeyValuePair<string, object?>("socks.direction", "client_to_target"));
        yield return new Measurement<long>(snapshot.UdpDatagramsTargetToClient, new KeyValuePair<string, object?>("socks.direction", "target_to_client"));
    }

    private IEnumerable<Measurement<long>> ObserveUdpBytes()
    {
        var snapshot = Snapshot();
        yield return new Measurement<long>(snapshot.UdpBytesClientToTarget, new KeyValuePair<string, object?>("socks.direction", "client_to_target"));
        yield return new Measurement<long>(snapshot.UdpBytesTargetToClient, new KeyValuePair<string, object?>("socks.direction", "target_to_client"));
    }

    private IEnumerable<Measurement<long>> ObserveDrops()
    {
        var snapshot = Snapshot();
        foreach (var reason in Enum.GetValues<UdpDropReason>())
        {
            yield return new Measurement<long>(snapshot.UdpDroppedFor(reason), new KeyValuePair<string, object?>("socks.udp.reason", UdpDropTokens.Token(reason)));
        }
    }

    private IEnumerable<Measurement<long>> ObserveFailures()
    {
        var snapshot = Read(includeBytes: false);
        var withReply = 0L;
        foreach (var (code, count) in snapshot.FailuresByReply)
        {
            withReply += count;
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>("socks.reply", ((byte)code).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }

        yield return new Measurement<long>(snapshot.FailedConnections - withReply, new KeyValuePair<string, object?>("socks.reply", "none"));
    }

    private IEnumerable<Measurement<long>> ObserveBytes()
    {
        var snapshot = Snapshot();
        yield return new Measurement<long>(snapshot.ClientBytes, new KeyValuePair<string, object?>("socks.leg", "client"));
        yield return new Measurement<long>(snapshot.BytesTransferred - snapshot.ClientBytes, new KeyValuePair<string, object?>("socks.leg", "target"));
    }

    private IEnumerable<Measurement<long>> ObserveTimeouts()
    {
        var snapshot = Read(includeBytes: false);
        yield return new Measurement<long>(snapshot.HandshakeTimeouts, new KeyValuePair<string, object?>("socks.timeout", "handshake"));
        yield return new Measurement<long>(snapshot.IdleTimeouts, new KeyValuePair<string, object?>("socks.timeout", "idle"));
    }
}
