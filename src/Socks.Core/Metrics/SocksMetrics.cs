using System.Diagnostics.Metrics;
using Socks.Core.Protocol;

namespace Socks.Core.Metrics;

/// <summary>
/// The server's counters. Writers never wait: every update is a handful of <see cref="Interlocked"/>
/// operations. <see cref="Snapshot"/> returns a state the counters really had at one instant.
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
/// <item>Byte counters change on every relayed chunk, so they stay out of the sequence lock (it would
/// make every chunk pay two more interlocked operations and could starve readers under load). A chunk
/// on the client leg adds to the total first and to the client count second; the snapshot reads the
/// client count first and the total second, so the snapshot always has client bytes &lt;= total.</item>
/// </list>
/// Current values (concurrent, negotiating) are derived from monotonic counters inside the
/// consistent group, so historical = successful + failed + negotiating and
/// concurrent &lt;= historical hold in every snapshot.
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

    // Byte group: one interlocked add per counter per chunk.
    private long _bytesTransferred;
    private long _clientBytes;

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
        meter.CreateObservableGauge("socks.connections.active", () => Snapshot().ConcurrentConnections, "{connection}",
            "SOCKS client connections open now, handshake included.");
        meter.CreateObservableGauge("socks.connections.negotiating", () => Snapshot().NegotiatingConnections, "{connection}",
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
    }

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

    /// <summary>A session accepted by <see cref="SessionAccepted"/> ended.</summary>
    /// <param name="outcome">How it ended.</param>
    public void SessionEnded(in SessionOutcome outcome)
    {
        Interlocked.Increment(ref _begun);
        Interlocked.Increment(ref _ended);
        if (!outcome.Succeeded)
        {
            Interlocked.Increment(ref _failed);
            if (outcome.Reply is { } reply && (int)reply < ReplyCodeCount)
            {
                Interlocked.Increment(ref _failuresByReply[(int)reply]);
            }
        }

        switch (outcome.End)
        {
            case SessionEnd.AuthenticationFailed:
                Interlocked.Increment(ref _authenticationFailures);
                break;
            case SessionEnd.NoAcceptableMethod:
                Interlocked.Increment(ref _noAcceptableMethods);
                break;
            case SessionEnd.HandshakeTimeout:
                Interlocked.Increment(ref _handshakeTimeouts);
                break;
            case SessionEnd.IdleTimeout:
                Interlocked.Increment(ref _idleTimeouts);
                break;
            case SessionEnd.Normal:
                break;
        }

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

    /// <summary>Bytes read from or written to a client socket.</summary>
    /// <param name="count">The number of bytes.</param>
    public void ClientLegBytes(long count)
    {
        // Total first, client second: Snapshot reads them in the opposite order.
        Interlocked.Add(ref _bytesTransferred, count);
        Interlocked.Add(ref _clientBytes, count);
    }

    /// <summary>Bytes read from or written to a target (outbound) socket.</summary>
    /// <param name="count">The number of bytes.</param>
    public void TargetLegBytes(long count) => Interlocked.Add(ref _bytesTransferred, count);

    /// <summary>Reads all counters as they were at one instant.</summary>
    /// <returns>The snapshot.</returns>
    public SocksMetricsSnapshot Snapshot()
    {
        Span<long> byReply = stackalloc long[ReplyCodeCount];
        var spin = default(SpinWait);
        long accepted, succeeded, ended, failed, authFailures, noMethod, handshakeTimeouts, idleTimeouts, rejected;
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
            for (var i = 0; i < ReplyCodeCount; i++)
            {
                byReply[i] = Volatile.Read(ref _failuresByReply[i]);
            }

            if (Volatile.Read(ref _begun) == finished)
            {
                break;
            }

            spin.SpinOnce();
        }

        var clientBytes = Volatile.Read(ref _clientBytes);
        var bytesTransferred = Volatile.Read(ref _bytesTransferred);

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
            BytesTransferred: bytesTransferred,
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
        };
    }

    /// <inheritdoc/>
    public void Dispose() => _ownedMeter?.Dispose();

    private IEnumerable<Measurement<long>> ObserveFailures()
    {
        var snapshot = Snapshot();
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
        var snapshot = Snapshot();
        yield return new Measurement<long>(snapshot.HandshakeTimeouts, new KeyValuePair<string, object?>("socks.timeout", "handshake"));
        yield return new Measurement<long>(snapshot.IdleTimeouts, new KeyValuePair<string, object?>("socks.timeout", "idle"));
    }
}
