using Socks.Core.Metrics;
using Socks.Core.Protocol;
using Socks.Core.Server;

namespace Socks.Core.Tests.Metrics;

/// <summary>Bytes counted per session: live while open, in the totals once ended, never both.</summary>
public sealed class SessionBytesTests
{
    [Test]
    public void Snapshot_OpenSession_ReadsItsBytesLive()
    {
        using var metrics = new SocksMetrics(meterFactory: null);
        var traffic = metrics.OpenTraffic();
        metrics.SessionAccepted();

        traffic.AddClientReceived(3);
        var first = metrics.Snapshot();
        traffic.AddClientSent(2);
        traffic.AddTargetSent(3);
        traffic.AddTargetReceived(5);
        var second = metrics.Snapshot();
        metrics.SessionEnded(new SessionOutcome(SessionEndReason.ClientClosedInHandshake), traffic);
        var ended = metrics.Snapshot();

        first.ClientBytes.Should().Be(3);
        first.BytesTransferred.Should().Be(3);
        second.ClientBytes.Should().Be(5);
        second.BytesTransferred.Should().Be(13);
        ended.Should().Be(second with { ConcurrentConnections = 0, FailedConnections = 1 });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Snapshot_SessionsEndingMeanwhile_CountsEveryByteExactlyOnce()
    {
        const int Sessions = 2_000;
        const int Writers = 2;
        using var metrics = new SocksMetrics(meterFactory: null);
        var traffic = new SessionTraffic[Sessions];
        for (var i = 0; i < Sessions; i++)
        {
            traffic[i] = metrics.OpenTraffic();
            metrics.SessionAccepted();
            traffic[i].AddClientReceived(4);
            traffic[i].AddClientSent(3);
            traffic[i].AddTargetReceived(1);
            traffic[i].AddTargetSent(3);
        }

        // Every session's bytes are final before the first snapshot, so every snapshot must show
        // exactly all of them, however many sessions have moved from the registry to the totals.
        long snapshots = 0;
        var cancel = TestContext.CurrentContext.CancellationToken;
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (var i = w; i < Sessions; i += Writers)
            {
                // End a session just as the reader starts its next snapshot. Waiting for two more
                // snapshots means the reader also takes snapshots that see this end but not the next.
                var seen = Volatile.Read(ref snapshots);
                var spin = default(SpinWait);
                while (Volatile.Read(ref snapshots) < seen + 2)
                {
                    cancel.ThrowIfCancellationRequested();
                    spin.SpinOnce();
                }

                metrics.SessionEnded(new SessionOutcome(SessionEndReason.Completed) { Reply = ReplyCode.Succeeded }, traffic[i]);
            }
        }, cancel)).ToArray();
        var done = Task.WhenAll(writers);

        // Bounded by the writers: each ends its share of the sessions, two snapshots apart.
        var partlyEnded = 0;
        while (!done.IsCompleted)
        {
            cancel.ThrowIfCancellationRequested();
            var s = metrics.Snapshot();
            Interlocked.Increment(ref snapshots);

            s.BytesTransferred.Should().Be(Sessions * 11L);
            s.ClientBytes.Should().Be(Sessions * 7L);
            s.HistoricalConnections.Should().Be(Sessions);
            if (s.ConcurrentConnections is > 0 and < Sessions)
            {
                partlyEnded++;
            }
        }

        await done;
        var final = metrics.Snapshot();
        final.ConcurrentConnections.Should().Be(0);
        final.BytesTransferred.Should().Be(Sessions * 11L);
        final.ClientBytes.Should().Be(Sessions * 7L);
        partlyEnded.Should().BePositive("snapshots were taken while sessions were ending");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Snapshot_FewSessionsEndingPerRound_CountsEveryByteExactlyOnce()
    {
        const int Rounds = 10_000;
        const int PerRound = 4;
        using var metrics = new SocksMetrics(meterFactory: null);
        using var start = new Barrier(2);
        var cancel = TestContext.CurrentContext.CancellationToken;
        var round = new SessionTraffic[PerRound];
        var endedRounds = 0;
        var writer = Task.Run(() =>
        {
            for (var r = 0; r < Rounds; r++)
            {
                start.SignalAndWait(cancel);
                foreach (var traffic in round)
                {
                    metrics.SessionEnded(new SessionOutcome(SessionEndReason.Completed) { Reply = ReplyCode.Succeeded }, traffic);
                }

                Volatile.Write(ref endedRounds, r + 1);
            }
        }, cancel);

        // Few open sessions, so a snapshot sums them in about the time an end takes: the races
        // between moving a session's bytes and reading them are as close as they get.
        for (var r = 0; r < Rounds; r++)
        {
            for (var i = 0; i < PerRound; i++)
            {
                round[i] = metrics.OpenTraffic();
                metrics.SessionAccepted();
                round[i].AddClientReceived(4);
                round[i].AddClientSent(3);
                round[i].AddTargetReceived(1);
                round[i].AddTargetSent(3);
            }

            var expected = (r + 1L) * PerRound;
            start.SignalAndWait(cancel);
            do
            {
                var s = metrics.Snapshot();
                s.BytesTransferred.Should().Be(expected * 11);
                s.ClientBytes.Should().Be(expected * 7);
            }
            while (Volatile.Read(ref endedRounds) <= r);
        }

        await writer;
        metrics.Snapshot().ConcurrentConnections.Should().Be(0);
    }
}
