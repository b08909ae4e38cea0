using System.Diagnostics.Metrics;
using System.Net;
using Socks.Core.Dissectors;
using Socks.Core.Logging;
using Socks.Core.Metrics;

namespace Socks.Core.Tests.Logging;

/// <summary>
/// The writers publish written, failed and pending record counts on the "Socks.Core" meter, through
/// the given IMeterFactory; and ReopenAsync completes once the file was reopened.
/// </summary>
[CancelAfter(30_000)]
public sealed class LogWriterMetricsTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "socks-logmetrics-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task AccessLogWriter_DiskFails_FailedCountIsPublishedOnTheFactoryMeter()
    {
        if (!File.Exists("/dev/full"))
        {
            Assert.Ignore("/dev/full is not available.");
        }

        using var factory = new TestMeterFactory();
        await using var writer = new AccessLogWriter("/dev/full", meterFactory: factory);
        for (var i = 0; i < 7; i++)
        {
            writer.Append(AccessLogFormatterTests.Sample(i));
        }

        await writer.FlushAsync();

        var seen = Observe(factory);
        seen.Should().Contain("socks.accesslog.records.failed", 7);
        seen.Should().Contain("socks.accesslog.records.written", 0);
        seen.Should().Contain("socks.accesslog.records.pending", 0);
    }

    [Test]
    public async Task CredentialLogWriter_RecordsWritten_WrittenCountIsPublishedOnTheFactoryMeter()
    {
        using var factory = new TestMeterFactory();
        await using var writer = new CredentialLogWriter(Path.Combine(_dir, "credentials.log"), meterFactory: factory);
        writer.Append(Credential());
        writer.Append(Credential());

        await writer.FlushAsync();

        var seen = Observe(factory);
        seen.Should().Contain("socks.credentials.records.written", 2);
        seen.Should().Contain("socks.credentials.records.failed", 0);
        factory.Meters.Should().OnlyContain(m => m.Name == SocksMetrics.MeterName);
    }

    [Test]
    public async Task ReopenAsync_AfterRename_CompletesWithTheNewFileCreated()
    {
        var path = Path.Combine(_dir, "access.log");
        await using var writer = new AccessLogWriter(path);
        writer.Append(AccessLogFormatterTests.Sample(0));
        File.Move(path, path + ".1");

        var reopened = await writer.ReopenAsync();

        reopened.Should().BeTrue();
        File.Exists(path).Should().BeTrue("the reopen created the file at the path");
        (await File.ReadAllLinesAsync(path + ".1")).Should().ContainSingle("the record queued before the reopen went to the old file");
    }

    [Test]
    public async Task ReopenAsync_DirectoryGone_CompletesFalse()
    {
        var logDir = Path.Combine(_dir, "logs");
        Directory.CreateDirectory(logDir);
        await using var writer = new CredentialLogWriter(Path.Combine(logDir, "credentials.log"));
        Directory.Delete(logDir, recursive: true);

        (await writer.ReopenAsync()).Should().BeFalse();
    }

    [Test]
    public async Task ReopenAsync_AfterDispose_CompletesFalse()
    {
        var writer = new AccessLogWriter(Path.Combine(_dir, "access.log"));
        await writer.DisposeAsync();

        (await writer.ReopenAsync()).Should().BeFalse();
    }

    private static Dictionary<string, long> Observe(TestMeterFactory factory)
    {
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (factory.Meters.Contains(instrument.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    private static CredentialRecord Credential() => new()
    {
        Time = DateTimeOffset.UnixEpoch,
        Client = new IPEndPoint(IPAddress.Loopback, 40000),
        ServerName = "pop.example.net"u8.ToArray(),
        Server = new IPEndPoint(IPAddress.Loopback, 110),
        Protocol = "POP3",
        Mechanism = CredentialMechanism.UserPass,
        User = "alice"u8.ToArray(),
        Secret = "secret"u8.ToArray(),
        Outcome = CredentialOutcome.Accepted,
    };

    /// <summary>Creates one meter per name and version, as the default factory does, and disposes them.</summary>
    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public IReadOnlyList<Meter> Meters
        {
            get
            {
                lock (_meters)
                {
                    return [.. _meters];
                }
            }
        }

        public Meter Create(MeterOptions options)
        {
            lock (_meters)
            {
                if (_meters.FirstOrDefault(m => m.Name == options.Name && m.Version == options.Version) is { } existing)
                {
                    return existing;
                }

                var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
                _meters.Add(meter);
                return meter;
            }
        }

        public void Dispose()
        {
            lock (_meters)
            {
                _meters.ForEach(m => m.Dispose());
                _meters.Clear();
            }
        }
    }
}
