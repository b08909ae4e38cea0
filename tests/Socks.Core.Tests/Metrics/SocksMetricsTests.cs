using System.Diagnostics.Metrics;
using Socks.Core.Metrics;
using Socks.Core.Protocol;
using Socks.Core.Server;

namespace Socks.Core.Tests.Metrics;

/// <summary>The counters behind GET_METRICS (in Server/ because they are the server's runtime state).</summary>
public sealed class SocksMetricsTests
{
    [Test]
    public void Snapshot_AfterLifecycleEvents_FollowsTheDefinitions()
    {
        using var metrics = new SocksMetrics(meterFactory: null);
        var traffic = Enumerable.Range(0, 3).Select(_ => metrics.OpenTraffic()).ToArray();

        metrics.SessionAccepted();
        metrics.SessionAccepted();
        metrics.SessionAccepted();
        metrics.SessionSucceeded();

        // Bytes of an ended session come from the totals, those of the open one (traffic[2]) are read live.
        traffic[0].AddClientReceived(4);
        traffic[0].AddClientSent(2);
        traffic[0].AddTargetSent(3);
        traffic[0].AddTargetReceived(2);
        traffic[2].AddClientReceived(4);
        metrics.SessionEnded(new SessionOutcome(SessionEndReason.Completed) { Reply = ReplyCode.Succeeded }, traffic[0]);
        metrics.SessionEnded(new SessionOutcome(SessionEndReason.ConnectFailed) { Reply = ReplyCode.ConnectionRefused }, traffic[1]);
        metrics.ConnectionRejectedAtLimit();

        var snapshot = metrics.Snapshot();

        snapshot.Should().Be(new SocksMetricsSnapshot(
            HistoricalConnections: 4,
            ConcurrentConnections: 1,
            BytesTransferred: 15,
            SuccessfulConnections: 1,
            FailedConnections: 2,
            ClientBytes: 10)
        {
            RejectedAtLimit = 1,
            FailuresByReply = new Dictionary<ReplyCode, long> { [ReplyCode.ConnectionRefused] = 1 },
        });
        snapshot.NegotiatingConnections.Should().Be(1);
        snapshot.FailuresWith(ReplyCode.ConnectionRefused).Should().Be(1);
        snapshot.FailuresWith(ReplyCode.GeneralFailure).Should().Be(0);
    }

    [TestCase((int)SessionEndReason.AuthenticationFailed)]
    [TestCase((int)SessionEndReason.NoAcceptableMethod)]
    [TestCase((int)SessionEndReason.HandshakeTimeout)]
    [TestCase((int)SessionEndReason.IdleTimeout)]
    public void SessionEnded_SpecialEnd_IsCountedOnceInItsOwnCounter(int endValue)
    {
        var end = (SessionEndReason)endValue;
        using var metrics = new SocksMetrics(meterFactory: null);
        var traffic = metrics.OpenTraffic();
        metrics.SessionAccepted();

        metrics.SessionEnded(new SessionOutcome(end), traffic);

        var snapshot = metrics.Snapshot();
        var counts = new[] { snapshot.AuthenticationFailures, snapshot.NoAcceptableMethods, snapshot.HandshakeTimeouts, snapshot.IdleTimeouts };
        counts.Sum().Should().Be(1);
        snapshot.FailedConnections.Should().Be(1);
        snapshot.FailuresByReply.Should().BeEmpty();
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Snapshot_WhileWritersRace_IsAlwaysConsistent()
    {
        using var metrics = new SocksMetrics(meterFactory: null);
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 3).Select(i => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var traffic = metrics.OpenTraffic();
                metrics.SessionAccepted();
                traffic.AddClientReceived(4);
                traffic.AddClientSent(3);
                traffic.AddTargetReceived(1);
                traffic.AddTargetSent(2);
                if (i % 2 == 0)
                {
                    metrics.SessionSucceeded();
                    metrics.SessionEnded(new SessionOutcome(SessionEndReason.Completed) { Reply = ReplyCode.Succeeded }, traffic);
                }
                else
                {
                    metrics.SessionEnded(new SessionOutcome(SessionEndReason.ConnectFailed) { Reply = ReplyCode.HostUnreachable }, traffic);
                }
            }
        })).ToArray();

        try
        {
            var previous = default(SocksMetricsSnapshot);
            for (var i = 0; i < 5_000; i++)
            {
                var s = metrics.Snapshot();

                // Ended sessions have all their 10 bytes in the totals; open ones count live, 0 to 10.
                s.BytesTransferred.Should().BeInRange(10 * (s.HistoricalConnections - s.ConcurrentConnections), 10 * s.HistoricalConnections);
                s.BytesTransferred.Should().BeGreaterThanOrEqualTo(previous.BytesTransferred);
                s.ClientBytes.Should().BeGreaterThanOrEqualTo(previous.ClientBytes);
                previous = s;

                // Every accepted session is either open or ended; succeeded and failed are parts of ended.
                s.ConcurrentConnections.Should().BeInRange(0, 3);
                s.NegotiatingConnections.Should().BeInRange(0, 3);
                (s.SuccessfulConnections + s.FailedConnections).Should().BeLessThanOrEqualTo(s.HistoricalConnections);
                s.FailuresWith(ReplyCode.HostUnreachable).Should().Be(s.FailedConnections);
                s.ClientBytes.Should().BeLessThanOrEqualTo(s.BytesTransferred);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        var final = metrics.Snapshot();
        final.ConcurrentConnections.Should().Be(0);
        final.HistoricalConnections.Should().Be(final.SuccessfulConnections + final.FailedConnections);
        final.BytesTransferred.Should().Be(final.HistoricalConnections * 10);
    }

    [Test]
    public void Meter_PublishesInstrumentsUnderSocksCore()
    {
        using var metrics = new SocksMetrics(meterFactory: null);
        var ended = metrics.OpenTraffic();
        var open = metrics.OpenTraffic();
        metrics.SessionAccepted();
        metrics.SessionAccepted();
        ended.AddClientReceived(60);
        ended.AddTargetSent(25);
        metrics.SessionEnded(new SessionOutcome(SessionEndReason.ConnectFailed) { Reply = ReplyCode.ConnectionRefused }, ended);

        // The open session's bytes count as well: the instrument reads them live.
        open.AddClientSent(40);
        open.AddTargetReceived(15);
        var seen = new Dictionary<string, long>();
        var units = new Dictionary<string, string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SocksMetrics.MeterName)
            {
                units[instrument.Name] = instrument.Unit;
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags)
            {
                key += $"|{tag.Key}={tag.Value}";
            }

            seen[key] = value;
        });
        listener.Start();

        listener.RecordObservableInstruments();

        seen.Should().Contain("socks.connections", 2);
        seen.Should().Contain("socks.connections.active", 1);
        seen.Should().Contain("socks.sessions.failed|socks.reply=05", 1);
        seen.Should().Contain("socks.io|socks.leg=client", 100);
        seen.Should().Contain("socks.io|socks.leg=target", 40);
        units["socks.io"].Should().Be("By");
        units["socks.connections"].Should().Be("{connection}");
        units.Keys.Should().OnlyContain(name => name == name.ToLowerInvariant() && name.StartsWith("socks.", StringComparison.Ordinal));
    }

    [Test]
    public void Snapshot_Default_HasEmptyFailures()
    {
        var snapshot = default(SocksMetricsSnapshot);

        snapshot.FailuresByReply.Should().BeEmpty();
        snapshot.Should().Be(default(SocksMetricsSnapshot));
    }
}
