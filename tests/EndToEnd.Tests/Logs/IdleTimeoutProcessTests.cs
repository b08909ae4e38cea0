using System.Net;
using System.Net.Sockets;

namespace EndToEnd.Tests.Logs;

/// <summary>
/// The idle timeout of the real socks5d with real clients: curl reading at a limited rate is not cut, a client
/// that stops reading is closed with FIN (everything the kernel took for it still arrives, then EOF) and the
/// access log says <c>idle-timeout</c>.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class IdleTimeoutProcessTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "socks5d-idle-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task CurlLimitRate_DownloadLongerThanTheIdleTimeout_CompletesAndIsLoggedOk()
    {
        // 40 MB at 8 MB/s: about 5 s through a proxy whose idle timeout is 2 s; curl reads in bursts as its rate
        // limit allows, and the proxy sees the kernel move bytes into every window curl opens.
        const long size = 40_000_000;
        await using var web = new TinyWebServer(size);
        var path = Path.Combine(_dir, "access.log");
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--idle-timeout", "2s", "--access-log", path]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();

        var (exitCode, output) = await Curl.RunAsync(
            $"socks5h://user:pass@127.0.0.1:{proxy.Port}",
            $"http://127.0.0.1:{web.Port}/big",
            ["--limit-rate", "8m", "-o", "/dev/null", "-w", "%{size_download}"]);

        exitCode.Should().Be(0, "curl got the whole body without the proxy cutting it");
        output.Should().Be(size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await LogFile.WaitForLinesAsync(path, 1);
        var record = LogFile.Records(path).Single();
        record[11].Should().Be("ok");
        long.Parse(record[8], System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(size);
        long.Parse(record[9], System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(2000, "the download lasted longer than the idle timeout");
    }

    [Test]
    public async Task ClientStopsReading_ClosedWithFinAfterTheIdleTimeout_LoggedIdleTimeout()
    {
        await using var web = new TinyWebServer(200_000_000);
        var path = Path.Combine(_dir, "access.log");
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--idle-timeout", "1s", "--access-log", path]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        using var client = await SocksTestClient.OpenTunnelAsync(proxy, new IPEndPoint(IPAddress.Loopback, web.Port));
        await client.SendAsync("GET /big HTTP/1.0\r\n\r\n");

        // The client reads nothing until the proxy has given up on it.
        await LogFile.WaitForLinesAsync(path, 1);
        var record = LogFile.Records(path).Single();
        record[11].Should().Be("idle-timeout");
        record[10].Should().Be("CONNECT");
        var counted = long.Parse(record[8], System.Globalization.CultureInfo.InvariantCulture);

        // FIN, not RST: every byte the kernel accepted for the client arrives, then EOF.
        var buffer = new byte[256 * 1024];
        long received = 0;
        while (true)
        {
            var n = await client.Socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
            if (n == 0)
            {
                break;
            }

            received += n;
        }

        received.Should().Be(counted, "the access log counts what was handed to the kernel, and all of it was delivered");
        received.Should().BeLessThan(200_000_000);
    }
}
