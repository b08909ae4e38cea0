using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Socks.Core.AccessLog;
using Socks.Core.Metrics;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Limits;

/// <summary>Per-user live statistics against the access log, through the real server with curl and raw sockets.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class UserStatisticsTests
{
    [Test]
    public async Task GetUserStatistics_AfterScriptedRun_MatchesAccessLogPerUser()
    {
        await using var web = new TinyWebServer(20_000);
        await using var echo = new EchoServer();
        using var deniedPort = new TcpListener(IPAddress.Loopback, 0);
        deniedPort.Start();
        var denied = (IPEndPoint)deniedPort.LocalEndpoint;
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("statsalice", "a1"), ("statsbob", "b2"), ("statscarol", "c3")),
            AccessLog = log,
            AccessPolicy = new DenyPort(denied.Port),
        });
        using var meter = new UserMeterListener();
        var proxy = harness.EndPoint.Port;

        for (var i = 0; i < 3; i++)
        {
            (await Curl.RunAsync($"socks5h://statsalice:a1@127.0.0.1:{proxy}", $"http://127.0.0.1:{web.Port}/")).ExitCode.Should().Be(0);
        }

        (await Curl.RunAsync($"socks5h://statsbob:b2@127.0.0.1:{proxy}", $"http://127.0.0.1:{web.Port}/")).ExitCode.Should().Be(0);

        // A denial for bob: REP 02 from the access policy.
        using (var refused = await SocksTestClient.ConnectAsync(harness.EndPoint))
        {
            await refused.NegotiateAsync("statsbob", "b2");
            (await refused.RequestConnectAsync(denied)).Code.Should().Be(ReplyCode.ConnectionNotAllowed);
        }

        // A wrong password is no login of bob.
        using (var wrong = await SocksTestClient.ConnectAsync(harness.EndPoint))
        {
            (await wrong.AuthenticateAsync("statsbob", "nope")).Should().Be(0x01);
        }

        // A session of alice still open: its bytes are counted live.
        using var open = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, echo.EndPoint, "statsalice", "a1");
        await open.SendAsync(new byte[1000]);
        await open.ReceiveExactlyAsync(1000);

        // One byte more each way: a direction counts a chunk as written before it reads the next, so once this byte is
        // back the 1000 before it are counted both ways (as in LiveBytesTests).
        await open.SendAsync(1);
        await open.ReceiveExactlyAsync(1);
        await harness.AccessLog.WaitForCountAsync(6).WaitAsync(TestTimeouts.Generous);
        var live = harness.Server.GetUserStatistics().Single(s => Name(s) == "statsalice");
        live.ActiveSessions.Should().Be(1);
        live.Sessions.Should().Be(4);
        var closed = ClosedBytes(harness, "statsalice");
        live.BytesUp.Should().BeInRange(closed.Up + 1000, closed.Up + 1001, "the open session's bytes are read live");
        live.BytesDown.Should().BeInRange(closed.Down + 1000, closed.Down + 1001);

        open.Socket.Shutdown(SocketShutdown.Send);
        await open.ShouldBeClosedAsync();
        await harness.AccessLog.WaitForCountAsync(7).WaitAsync(TestTimeouts.Generous);

        var stats = harness.Server.GetUserStatistics();
        stats.Select(Name).Should().Equal(["statsalice", "statsbob"], "only users that logged in have an entry, ordered by name");
        foreach (var user in stats)
        {
            var records = harness.AccessLog.Records.Where(r => r.Username is { } n && Encoding.UTF8.GetString(n) == Name(user) && r.EndReason != AccessLogEndReason.AuthFailed).ToList();
            user.Sessions.Should().Be(records.Count, "every authenticated session of {0} has one record", Name(user));
            user.ActiveSessions.Should().Be(0);
            user.BytesUp.Should().Be(records.Sum(r => r.BytesClientToTarget));
            user.BytesDown.Should().Be(records.Sum(r => r.BytesTargetToClient));
            user.Denials.Should().Be(records.Count(r => r.EndReason == AccessLogEndReason.Denied));
            user.LastLogin.Should().NotBeNull();
            user.LastLogin!.Value.Should().BeOnOrAfter(records.Max(r => r.Start).AddMilliseconds(-1));
        }

        stats.Single(s => Name(s) == "statsalice").BytesDown.Should().BeGreaterThan(3 * 20_000);
        stats.Single(s => Name(s) == "statsbob").Denials.Should().Be(1);

        // The same numbers on the Socks.Core meter, tagged socks.user.
        var measured = meter.Collect();
        measured[("socks.user.io", "statsalice", "target_to_client")].Should().Be(stats[0].BytesDown);
        measured[("socks.user.io", "statsbob", "client_to_target")].Should().Be(stats[1].BytesUp);
        measured[("socks.user.sessions", "statsalice", "")].Should().Be(4);
        measured[("socks.user.denials", "statsbob", "")].Should().Be(1);
        measured[("socks.user.sessions.active", "statsalice", "")].Should().Be(0);
    }

    [Test]
    public async Task GetUserStatistics_UserRemoved_DropsTheEntry()
    {
        var users = TestUsers.Create(("rmalice", "a1"), ("rmbob", "b2"));
        await using var echo = new EchoServer();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = users, UserDirectory = users, AccessLog = log });
        foreach (var (name, password) in new[] { ("rmalice", "a1"), ("rmbob", "b2") })
        {
            using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, echo.EndPoint, name, password);
            client.Socket.Shutdown(SocketShutdown.Send);
            await client.ShouldBeClosedAsync();
        }

        await harness.AccessLog.WaitForCountAsync(2).WaitAsync(TestTimeouts.Generous);
        harness.Server.GetUserStatistics().Should().HaveCount(2);

        users.Remove("rmalice").Should().Be(Socks.Core.Users.UserChangeResult.Ok);

        harness.Server.GetUserStatistics().Select(Name).Should().Equal("rmbob");
    }

    private static string Name(UserStatistics statistics) => Encoding.UTF8.GetString(statistics.Username);

    private static (long Up, long Down) ClosedBytes(ServerHarness harness, string user)
    {
        var records = harness.AccessLog.Records.Where(r => r.Username is { } n && Encoding.UTF8.GetString(n) == user).ToList();
        return (records.Sum(r => r.BytesClientToTarget), records.Sum(r => r.BytesTargetToClient));
    }

    private sealed class DenyPort(int port) : IAccessPolicy
    {
        public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(request.Phase == AccessPhase.Requested && request.Session.Request?.Port == port
                ? AccessDecision.DenyByRuleset
                : AccessDecision.Allow);
    }

    /// <summary>Reads the socks.user.* instruments of the Socks.Core meter (latest value per instrument, user and direction).</summary>
    private sealed class UserMeterListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<(string, string, string), long> _values = [];

        public UserMeterListener()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Socks.Core" && instrument.Name.StartsWith("socks.user", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                string user = "", direction = "";
                foreach (var tag in tags)
                {
                    if (tag.Key == "socks.user")
                    {
                        user = (string)tag.Value!;
                    }
                    else if (tag.Key == "socks.direction")
                    {
                        direction = (string)tag.Value!;
                    }
                }

                lock (_values)
                {
                    _values[(instrument.Name, user, direction)] = value;
                }
            });
            _listener.Start();
        }

        public Dictionary<(string Instrument, string User, string Direction), long> Collect()
        {
            lock (_values)
            {
                _values.Clear();
            }

            _listener.RecordObservableInstruments();
            lock (_values)
            {
                return new(_values);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
