using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProxyHost.Hosting;
using Socks.Core.AccessLog;
using Socks.Core.Dissectors;

namespace ProxyHost.Tests.Logs;

/// <summary>The host's wiring of the two logs: the counters reach the host's IMeterFactory, bad paths are one line.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class LogSinksTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "socks5d-logsinks-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task AddLogSinks_DiskFull_FailedRecordsArePublishedOnTheHostsSocksCoreMeter()
    {
        if (!File.Exists("/dev/full"))
        {
            Assert.Ignore("/dev/full is not available.");
        }

        var host = Build(new HostSettings { AccessLogPath = "/dev/full", CredentialsLogPath = Path.Combine(_dir, "credentials.log") });
        try
        {
            var factory = host.Services.GetService<IMeterFactory>();
            factory.Should().NotBeNull("the host provides the meter factory the writers publish on");
            LogSinks.TryOpen(host.Services, out var failure).Should().BeTrue(failure);
            var sinks = host.Services.GetRequiredService<LogSinks>();

            sinks.AccessLog.Append(new AccessLogRecord { Start = DateTimeOffset.UnixEpoch, End = DateTimeOffset.UnixEpoch, Client = new IPEndPoint(IPAddress.Loopback, 1), EndReason = AccessLogEndReason.Ok });
            sinks.AccessLog.Append(new AccessLogRecord { Start = DateTimeOffset.UnixEpoch, End = DateTimeOffset.UnixEpoch, Client = new IPEndPoint(IPAddress.Loopback, 2), EndReason = AccessLogEndReason.Ok });
            await sinks.AccessLog.FlushAsync();

            var seen = new Dictionary<string, (long Value, string Meter)>();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen[instrument.Name] = (value, instrument.Meter.Name));
            listener.Start();
            listener.RecordObservableInstruments();

            seen.Should().Contain("socks.accesslog.records.failed", (2L, "Socks.Core"));
            seen.Should().Contain("socks.credentials.records.failed", (0L, "Socks.Core"));
            host.Services.GetRequiredService<DissectorFactory>().Ports[DissectorProtocol.Pop3].Should().Equal(110);
        }
        finally
        {
            await ((IAsyncDisposable)host).DisposeAsync();
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task TryOpen_LogInMissingDirectory_FailsWithOneLineNamingTheLogAndPath(bool accessLogBad)
    {
        var bad = Path.Combine(_dir, "missing", "x.log");
        var good = Path.Combine(_dir, "good.log");
        var host = Build(new HostSettings
        {
            AccessLogPath = accessLogBad ? bad : good,
            CredentialsLogPath = accessLogBad ? good : bad,
        });
        try
        {
            LogSinks.TryOpen(host.Services, out var failure).Should().BeFalse();

            failure.Should().Be($"cannot open the {(accessLogBad ? "access" : "credentials")} log '{bad}': no such directory");
        }
        finally
        {
            await ((IAsyncDisposable)host).DisposeAsync();
        }
    }

    private static IHost Build(HostSettings settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "socks5d-test" });
        builder.Services.AddSingleton(new DissectorSwitch(true));
        builder.Services.AddLogSinks(settings);
        builder.Services.AddSingleton(services => SocksHost.CreateDissectors(
            services.GetRequiredService<LogSinks>().CredentialsLog,
            services.GetRequiredService<DissectorSwitch>(),
            settings,
            services.GetRequiredService<ILoggerFactory>()));
        return builder.Build();
    }
}
