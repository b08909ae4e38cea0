using System.Globalization;
using System.Net;
using System.Text;
using Socks.Core.Protocol;

namespace EndToEnd.Tests.Udp;

/// <summary>
/// UDP ASSOCIATE through the real socks5d process with real client libraries (PySocks, the Node <c>socks</c>
/// package) and raw sockets, to a UDP echo server on loopback; the association's access-log record is checked
/// field by field.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class UdpAssociateEndToEndTests
{
    private const string PySocksScript = """
        import socket, sys
        import socks
        proxy_port, echo_port = int(sys.argv[1]), int(sys.argv[2])
        s = socks.socksocket(socket.AF_INET, socket.SOCK_DGRAM)
        s.set_proxy(socks.SOCKS5, "127.0.0.1", proxy_port, rdns=True, username="user", password="pass")
        s.settimeout(20)
        # rdns: the name goes to the proxy in the datagram's header (ATYP 03) and socks5d resolves it.
        s.sendto(b"hello via pysocks", ("localhost", echo_port))
        data, source = s.recvfrom(65535)
        print(data.decode(), source[1])
        s.close()
        """;

    // socks 2.x takes only CONNECT in SocksClient.createConnection; an association is made with new SocksClient and
    // its 'established' event, as the package's README shows for UDP.
    private const string NodeScript = """
        const { SocksClient } = require('socks');
        const dgram = require('dgram');
        const [proxyPort, echoPort] = process.argv.slice(2).map(Number);
        const udp = dgram.createSocket('udp4');
        udp.bind(0, '127.0.0.1', () => {
          const client = new SocksClient({
            proxy: { host: '127.0.0.1', port: proxyPort, type: 5, userId: 'user', password: 'pass' },
            command: 'associate',
            destination: { host: '0.0.0.0', port: udp.address().port },
            timeout: 20000,
          });
          client.on('error', error => { console.error(error.message); process.exit(1); });
          client.on('established', info => {
            udp.on('message', message => {
              const frame = SocksClient.parseUDPFrame(message);
              console.log(`${frame.data.toString()} ${frame.remoteHost.host}:${frame.remoteHost.port} relay ${info.remoteHost.host}`);
              udp.close();
              info.socket.end();
            });
            const frame = SocksClient.createUDPFrame({ remoteHost: { host: '127.0.0.1', port: echoPort }, data: Buffer.from('hello via node') });
            udp.send(frame, info.remoteHost.port, info.remoteHost.host);
          });
          client.connect();
        });
        """;

    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "socks5d-udp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task PySocks_DatagramToAName_IsResolvedByTheProxyAndEchoed()
    {
        // [::]: localhost may resolve to ::1 or 127.0.0.1 first; the echo answers on both.
        await using var echo = new UdpEchoServer(IPAddress.IPv6Any);
        var log = Path.Combine(_dir, "access.log");
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--access-log", log]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();

        var result = await ScriptRunner.RunPythonAsync(PySocksScript, proxy.Port.ToString(CultureInfo.InvariantCulture), echo.EndPoint.Port.ToString(CultureInfo.InvariantCulture));

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Trim().Should().Be($"hello via pysocks {echo.EndPoint.Port}");
        echo.Received.Should().ContainSingle().Which.Should().Equal(Encoding.ASCII.GetBytes("hello via pysocks"));
        var record = await SingleRecordAsync(log);
        record[2].Should().Be("user");
        record[6].Should().Be("00");
        record[7].Should().Be("17", "DATA bytes to the destination");
        record[8].Should().Be("17", "DATA bytes to the client");
        record[10..].Should().Equal("UDP", "ok", "1", "1", "1", "0");
    }

    [Test]
    public async Task NodeSocks_Associate_RelayIsOnTheClientsAddressAndEchoes()
    {
        await using var echo = new UdpEchoServer();
        var log = Path.Combine(_dir, "access.log");
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--access-log", log]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();

        var result = await ScriptRunner.RunNodeAsync(NodeScript, proxy.Port.ToString(CultureInfo.InvariantCulture), echo.EndPoint.Port.ToString(CultureInfo.InvariantCulture));

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Trim().Should().Be($"hello via node 127.0.0.1:{echo.EndPoint.Port} relay 127.0.0.1");
        var record = await SingleRecordAsync(log);
        record[10..].Should().Equal("UDP", "ok", "1", "1", "1", "0");
    }

    [Test]
    public async Task RawClient_NoUdp_IsAnswered07_AndWrongSourceIsCountedInTheRecord()
    {
        await using var echo = new UdpEchoServer();
        var log = Path.Combine(_dir, "access.log");
        await using (var off = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--no-udp"]))
        {
            var (offProxy, _) = await off.WaitForListeningAsync();
            using var refused = await SocksTestClient.ConnectAsync(offProxy);
            await refused.NegotiateAsync("user");
            (await refused.RequestUdpAssociateAsync()).Code.Should().Be(ReplyCode.CommandNotSupported);
        }

        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--access-log", log]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        using (var control = await SocksTestClient.ConnectAsync(proxy))
        {
            await control.NegotiateAsync("user");
            var reply = await control.RequestUdpAssociateAsync();
            reply.Code.Should().Be(ReplyCode.Succeeded);
            var relay = new IPEndPoint(reply.Address!, reply.Port);
            using var stranger = new SocksUdpClient(relay, IPAddress.Parse("127.0.0.3"));
            using var udp = new SocksUdpClient(relay, IPAddress.Loopback);

            await stranger.SendAsync(echo.EndPoint, Encoding.ASCII.GetBytes("stranger"));
            await udp.SendAsync(echo.EndPoint, Encoding.ASCII.GetBytes("raw"));
            (await udp.ReceiveAsync()).Data.Should().Equal(Encoding.ASCII.GetBytes("raw"));
        }

        var record = await SingleRecordAsync(log);
        record[10..].Should().Equal("UDP", "ok", "1", "1", "1", "1");
        echo.Received.Should().ContainSingle();
    }

    private static async Task<string[]> SingleRecordAsync(string log)
    {
        await LogFile.WaitForLinesAsync(log, 1);
        var record = LogFile.Records(log).Should().ContainSingle().Subject;
        LogFile.ShouldBeWellFormedAccessRecord(record);
        return record;
    }
}
