using System.Net;
using Socks.Core.Protocol;

namespace EndToEnd.Tests.Commands;

/// <summary>
/// BIND through the real socks5d: the Node <c>socks</c> package as the client (its 'bound' and 'established'
/// events, a peer that connects to the announced address and exchanges a line each way), and raw sockets for
/// --no-bind and --bind-timeout; every session checked in the access log.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class BindEndToEndTests
{
    /// <summary>
    /// The client asks for BIND (any peer); on 'bound' a peer connects to the announced address and writes a line;
    /// on 'established' the client prints the peer the proxy announced, reads the line and answers one; both close.
    /// </summary>
    private const string BindScript = """
        const { SocksClient } = require('socks');
        const net = require('net');
        const [host, port] = [process.argv[2], Number(process.argv[3])];
        const client = new SocksClient({
          proxy: { host, port, type: 5, userId: 'user', password: 'pass' },
          command: 'bind',
          destination: { host: '0.0.0.0', port: 0 },
          timeout: 30000,
        });
        client.on('bound', info => {
          console.log(`bound ${info.remoteHost.host}:${info.remoteHost.port}`);
          const peer = net.connect(info.remoteHost.port, info.remoteHost.host, () => {
            console.log(`peer ${peer.localAddress}:${peer.localPort}`);
            peer.write('hello from peer\n');
          });
          peer.on('data', data => { process.stdout.write(`peer got ${data}`); peer.end(); });
        });
        client.on('established', info => {
          console.log(`established ${info.remoteHost.host}:${info.remoteHost.port}`);
          const socket = info.socket;
          socket.on('data', data => { process.stdout.write(`client got ${data}`); socket.write('hello from client\n'); });
          socket.on('end', () => socket.end());
        });
        client.on('error', error => { console.error(`error ${error.message}`); process.exit(2); });
        client.connect();
        """;

    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("socks5d-bind-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task NodeSocksBind_PeerConnects_BothWaysRelayedAndRecorded()
    {
        var log = Path.Combine(_dir, "access.log");
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "-l", "127.0.0.1", "--access-log", log]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();

        var result = await ScriptRunner.RunNodeAsync(BindScript, "127.0.0.1", proxy.Port.ToString());

        result.ExitCode.Should().Be(0, result.Stderr);
        var lines = result.StdoutLines;
        lines.Should().HaveCount(5, result.Stdout);
        lines[0].Should().MatchRegex(@"^bound 127\.0\.0\.1:\d+$", "the proxy listens on the address the client reached it on");
        lines[0].Should().NotBe($"bound 127.0.0.1:{proxy.Port}");
        // The peer's connect callback and the second reply race: their lines come in either order.
        var peer = lines.Single(l => l.StartsWith("peer 1", StringComparison.Ordinal))["peer ".Length..];
        lines[1..].Should().BeEquivalentTo($"peer {peer}", $"established {peer}", "client got hello from peer", "peer got hello from client");
        await LogFile.WaitForLinesAsync(log, 1);
        var record = LogFile.Records(log).Single();
        LogFile.ShouldBeWellFormedAccessRecord(record);
        record[2].Should().Be("user");
        record[4..9].Should().Equal("0.0.0.0:0", peer, "00", "18", "16");
        record[10..].Should().Equal("BIND", "ok");
    }

    [Test]
    public async Task NoBind_Bind_Replies07()
    {
        var log = Path.Combine(_dir, "access.log");
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--no-bind", "--access-log", log]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        using var client = await SocksTestClient.ConnectAsync(proxy);
        await client.NegotiateAsync("user");

        await client.SendAsync(SocksTestClient.ConnectRequest(new IPEndPoint(IPAddress.Any, 0), command: 0x02));

        (await client.ReadToEndAsync()).Should().Equal(0x05, 0x07, 0x00, 0x01, 0, 0, 0, 0, 0, 0);
        await LogFile.WaitForLinesAsync(log, 1);
        LogFile.Records(log).Single()[10..].Should().Equal("BIND", "command-not-supported");
    }

    [Test]
    public async Task BindTimeout_NoPeer_SecondReplyIs06()
    {
        var log = Path.Combine(_dir, "access.log");
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--bind-timeout", "1s", "--access-log", log]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        using var client = await SocksTestClient.ConnectAsync(proxy);
        await client.NegotiateAsync("user");
        await client.SendAsync(SocksTestClient.ConnectRequest(new IPEndPoint(IPAddress.Any, 0), command: 0x02));
        (await client.ReadReplyAsync()).Code.Should().Be(ReplyCode.Succeeded);

        var second = await client.ReadReplyAsync();

        second.Should().Be(new SocksTestClient.Reply(ReplyCode.TtlExpired, 0x01, IPAddress.Any, 0));
        await client.ShouldBeClosedAsync();
        await LogFile.WaitForLinesAsync(log, 1);
        var record = LogFile.Records(log).Single();
        record[6].Should().Be("06");
        record[10..].Should().Equal("BIND", "bind-timeout");
    }
}
