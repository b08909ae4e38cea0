using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Socks.Core;
using Socks.Core.Protocol;

namespace EndToEnd.Tests.Hosting;

/// <summary>
/// The real socks5d and the real blocking resolver (glibc getaddrinfo) against a name server that never answers:
/// a UDP socket of the test that reads queries and drops them. socks5d runs in a mount namespace of its own where
/// /etc/resolv.conf names that socket (<see cref="Socks5dProcess.Start"/>, <c>resolvConf</c>); the machine's file is
/// not touched (issue 18, item 1).
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class DnsStallEndToEndTests
{
    private const int NameClients = 100;
    private const int LiteralClients = 5;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    // How late past its deadline a reply may come on a loaded 2-core machine; before the fix it came tens of seconds late.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1.5);

    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("socks5d-dns-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task SilentNameServer_BurstOfNameConnects_AllAnsweredByTheDeadlineWhileAddressConnectsRelayAtOnce()
    {
        using var sink = SilentNameServer.Start();
        await using var echo = new EchoServer();

        // timeout:30 attempts:1: glibc waits 30 s per query, so every lookup stays stalled for the whole test.
        var resolvConf = Path.Combine(_dir, "resolv.conf");
        await File.WriteAllTextAsync(resolvConf, $"nameserver {sink.Address}\noptions timeout:30 attempts:1\n");
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--connect-timeout", "2s"], resolvConf: resolvConf);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        var threadsBefore = socks5d.Threads();

        var clients = await Task.WhenAll(Enumerable.Range(0, NameClients).Select(async _ =>
        {
            var client = await SocksTestClient.ConnectAsync(proxy);
            await client.NegotiateAsync("user");
            return client;
        }));
        try
        {
            // Every name is new, so no cache (the runtime's, glibc's or a local daemon's) can answer it.
            var names = clients.Select((client, i) => TimedConnectAsync(client, $"n{i}-{Guid.NewGuid():N}.stall.test")).ToList();

            // Meanwhile: sessions to an IP address never touch the resolver and are not delayed by it.
            for (var i = 0; i < LiteralClients; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var tunnel = await SocksTestClient.OpenTunnelAsync(proxy, echo.EndPoint);
                var payload = Encoding.ASCII.GetBytes($"ping {i}");
                await tunnel.SendAsync(payload);
                (await tunnel.ReceiveExactlyAsync(payload.Length)).Should().Equal(payload);
                Stopwatch.GetElapsedTime(started).Should().BeLessThan(ConnectTimeout, "an address CONNECT waits for no lookup");
            }

            var replies = await Task.WhenAll(names);

            foreach (var (code, elapsed) in replies)
            {
                code.Should().BeOneOf(ReplyCode.TtlExpired, ReplyCode.GeneralFailure);
                if (code == ReplyCode.TtlExpired)
                {
                    elapsed.Should().BeLessThan(ConnectTimeout + Slack, "X'06' comes at the deadline, resolve and dial together");
                }
                else
                {
                    elapsed.Should().BeLessThan(ConnectTimeout, "a saturated resolver fails a lookup at once");
                }
            }

            var timedOut = replies.Count(r => r.Code == ReplyCode.TtlExpired);
            TestContext.Out.WriteLine(
                $"X'06': {timedOut}, latest {replies.Where(r => r.Code == ReplyCode.TtlExpired).Max(r => r.Elapsed).TotalMilliseconds:F0} ms; " +
                $"X'01': {replies.Length - timedOut}; queries {sink.Queries}; threads {threadsBefore} -> {socks5d.Threads()}, socks-dns {socks5d.ThreadsNamed("socks-dns")}");
            timedOut.Should().BeGreaterThanOrEqualTo(
                SocksServerOptions.DefaultMaxConcurrentLookups,
                "at least the lookups that got a slot ran into the deadline");
            var rejected = replies.Length - timedOut;
            rejected.Should().BeGreaterThan(0, "100 stalled lookups exceed 16 slots and 64 queue places");
            socks5d.StandardError.Count(l => l.Contains("Name resolution saturated", StringComparison.Ordinal))
                .Should().Be(1, "the saturation warning is throttled");

            sink.Queries.Should().BeGreaterThanOrEqualTo(1, "glibc asked the silent server");
            socks5d.ThreadsNamed("socks-dns").Should().BeInRange(1, SocksServerOptions.DefaultMaxConcurrentLookups, "one lookup thread per slot at most");
            socks5d.Threads().Should().BeLessThanOrEqualTo(
                threadsBefore + SocksServerOptions.DefaultMaxConcurrentLookups + 16,
                "stalled lookups hold their own threads, not the pool's");

            // Still serving after the burst: an address CONNECT relays.
            using var after = await SocksTestClient.OpenTunnelAsync(proxy, echo.EndPoint);
            await after.SendAsync("after");
            (await after.ReceiveExactlyAsync(5)).Should().Equal(Encoding.ASCII.GetBytes("after"));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<(ReplyCode Code, TimeSpan Elapsed)> TimedConnectAsync(SocksTestClient client, string name)
    {
        var started = Stopwatch.GetTimestamp();
        var reply = await client.RequestConnectAsync(name, 80);
        return (reply.Code, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>A name server that reads every query and never answers, on a 127/8 address of its own, port 53.</summary>
    private sealed class SilentNameServer : IDisposable
    {
        private readonly Socket _socket;
        private readonly Task _reader;
        private int _queries;

        private SilentNameServer(Socket socket)
        {
            _socket = socket;
            _reader = ReadAsync();
        }

        public IPAddress Address => ((IPEndPoint)_socket.LocalEndPoint!).Address;

        public int Queries => Volatile.Read(ref _queries);

        public static SilentNameServer Start()
        {
            // resolv.conf cannot name a port, so the sink needs 53; a random 127/8 address keeps parallel tests and a
            // local resolver (127.0.0.53) apart.
            for (var attempt = 0; ; attempt++)
            {
                var address = new IPAddress([127, 53, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(1, 255)]);
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    socket.Bind(new IPEndPoint(address, 53));
                    return new SilentNameServer(socket);
                }
                catch (SocketException) when (attempt < 10)
                {
                    socket.Dispose();
                }
            }
        }

        public void Dispose()
        {
            _socket.Dispose();
            _ = _reader.Exception;
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[4096];
            while (true)
            {
                try
                {
                    await _socket.ReceiveAsync(buffer, SocketFlags.None);
                    Interlocked.Increment(ref _queries);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        }
    }
}
