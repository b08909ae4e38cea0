using System.Net.Sockets;
using System.Text;
using Socks.Core.AccessLog;
using Socks.Core.Dissectors;
using Socks.Core.Tests.Dissectors.Pop3;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Dissectors;

/// <summary>
/// The session disposes a disposable traffic observer once, when it ends, before its access-log
/// record: while the observer still watches, after it finished, after the relay dropped it for
/// throwing, and also when disposing throws.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class ObserverDisposalTests
{
    [Test]
    public async Task SessionEnds_ObserverStillWatching_IsDisposedOnceAfterItsLastChunk()
    {
        var observers = new RecordingObserverFactory(() => new DisposableObserver());

        var observer = (DisposableObserver)await RunOneSessionAsync(observers);

        observer.Disposals.Should().Be(1);
        observer.CallsAfterDispose.Should().Be(0);
        observer.ClientData.Should().Equal("ping"u8.ToArray());
    }

    [Test]
    public async Task SessionEnds_ObserverFinished_IsStillDisposed()
    {
        var observers = new RecordingObserverFactory(() => new DisposableObserver(finishAfterOneChunk: true));

        var observer = (DisposableObserver)await RunOneSessionAsync(observers);

        observer.Calls.Should().Be(1, "a finished observer is not called again");
        observer.Disposals.Should().Be(1);
    }

    [Test]
    public async Task SessionEnds_ObserverDroppedAfterThrowing_IsStillDisposed()
    {
        var observers = new RecordingObserverFactory(() => new DisposableObserver(throwOnData: true));

        var observer = (DisposableObserver)await RunOneSessionAsync(observers);

        observer.Calls.Should().Be(1, "the relay dropped it after the first call threw");
        observer.Disposals.Should().Be(1);
    }

    [Test]
    public async Task SessionEnds_DisposeThrows_SessionIsStillRecordedAndCounted()
    {
        var observers = new RecordingObserverFactory(() => new DisposableObserver(throwOnDispose: true));

        var observer = (DisposableObserver)await RunOneSessionAsync(observers);

        observer.Disposals.Should().Be(1);
    }

    [Test]
    public async Task SessionEnds_BeforeTheServerAnsweredPass_Pop3CredentialIsRecordedUnknown()
    {
        var harness = new Pop3Harness();
        await using var target = TestTarget.Manual();
        await using var server = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            TrafficObservers = harness.Factory,
        });
        using (var client = await SocksTestClient.OpenTunnelAsync(server.EndPoint, target.EndPoint))
        {
            using var accepted = await target.AcceptAsync();
            await accepted.SendAsync("+OK ready\r\n"u8.ToArray());
            await client.ReceiveExactlyAsync(11);
            await client.SendAsync("USER alice\r\n");
            await ReceiveExactlyAsync(accepted, 12);
            await accepted.SendAsync("+OK\r\n"u8.ToArray());
            await client.ReceiveExactlyAsync(5);
            await client.SendAsync("PASS secret\r\n");
            await ReceiveExactlyAsync(accepted, 13);

            // The server goes away without answering PASS.
        }

        await server.AccessLog.WaitForCountAsync(1).WaitAsync(TestTimeouts.Generous);
        var record = harness.Sink.Records.Should().ContainSingle().Subject;
        Encoding.ASCII.GetString(record.User).Should().Be("alice");
        Encoding.ASCII.GetString(record.Secret).Should().Be("secret");
        record.Outcome.Should().Be(CredentialOutcome.Unknown);
    }

    /// <summary>
    /// One session that sends "ping" to the target and then closes both ways; returns its observer once
    /// the session's access-log record exists, and checks that the disposal came before the record.
    /// </summary>
    private static async Task<RecordingObserverFactory.Observer> RunOneSessionAsync(RecordingObserverFactory observers)
    {
        await using var target = TestTarget.Manual();
        DisposalCheckingLog? checking = null;
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = checking = new DisposalCheckingLog(log, observers),
            TrafficObservers = observers,
        });
        using (var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint))
        {
            using var accepted = await target.AcceptAsync();
            await client.SendAsync("ping");
            await ReceiveExactlyAsync(accepted, 4);
            client.Socket.Shutdown(SocketShutdown.Send);
            accepted.Shutdown(SocketShutdown.Send);
            await client.ReadToEndAsync();
        }

        await harness.AccessLog.WaitForCountAsync(1).WaitAsync(TestTimeouts.Generous);
        harness.Server.GetMetrics().ConcurrentConnections.Should().Be(0);
        checking!.DisposedBeforeRecord.Should().Equal([true], "the observer is disposed before the record is appended");
        return observers.Observers.Should().ContainSingle().Subject;
    }

    private static async Task ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
            n.Should().BePositive("the relay forwards what the client sent");
            read += n;
        }
    }

    /// <summary>Passes records on, noting for each whether every observer was disposed by then.</summary>
    private sealed class DisposalCheckingLog(RecordingAccessLog inner, RecordingObserverFactory observers) : IAccessLogSink
    {
        private readonly List<bool> _disposedBeforeRecord = [];

        public IReadOnlyList<bool> DisposedBeforeRecord
        {
            get
            {
                lock (_disposedBeforeRecord)
                {
                    return [.. _disposedBeforeRecord];
                }
            }
        }

        public void Append(AccessLogRecord record)
        {
            bool disposed;
            lock (observers.Observers)
            {
                disposed = observers.Observers.Count == 1 && observers.Observers.Cast<DisposableObserver>().All(o => o.Disposals == 1);
            }

            lock (_disposedBeforeRecord)
            {
                _disposedBeforeRecord.Add(disposed);
            }

            inner.Append(record);
        }
    }

    private sealed class DisposableObserver(bool finishAfterOneChunk = false, bool throwOnData = false, bool throwOnDispose = false)
        : RecordingObserverFactory.Observer, IDisposable
    {
        private int _disposals;
        private int _callsAfterDispose;

        public int Disposals => Volatile.Read(ref _disposals);

        public int CallsAfterDispose => Volatile.Read(ref _callsAfterDispose);

        public override bool IsFinished => finishAfterOneChunk && Calls >= 1;

        public override void OnClientData(ReadOnlySpan<byte> data)
        {
            Check();
            base.OnClientData(data);
            if (throwOnData)
            {
                throw new InvalidOperationException("observer bug");
            }
        }

        public override void OnTargetData(ReadOnlySpan<byte> data)
        {
            Check();
            base.OnTargetData(data);
            if (throwOnData)
            {
                throw new InvalidOperationException("observer bug");
            }
        }

        public void Dispose()
        {
            Interlocked.Increment(ref _disposals);
            if (throwOnDispose)
            {
                throw new InvalidOperationException("dispose bug");
            }
        }

        private void Check()
        {
            if (Disposals != 0)
            {
                Interlocked.Increment(ref _callsAfterDispose);
            }
        }
    }
}
