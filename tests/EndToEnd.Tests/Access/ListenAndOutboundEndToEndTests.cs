using System.Net;
using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Access;

/// <summary>Repeated <c>-l</c> (IPv4 and IPv6 listeners) and <c>-b</c> (the source address of outbound connections) in the real socks5d.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
[SupportedOSPlatform("linux")]
public sealed partial class ListenAndOutboundEndToEndTests
{
    [Test]
    public async Task RepeatedListen_IPv4AndIPv6_BothServe_AndTheStartupLineNamesEach()
    {
        await using var web = new TinyWebServer();
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-l", "::1", "-p", "0", "-u", "user:pass");
        var line = await proxy.Process.WaitForLineAsync(l => l.Contains("(SOCKS5, at most", StringComparison.Ordinal));
        var match = TwoEndpoints().Match(line);
        match.Success.Should().BeTrue(line);
        var v4 = IPEndPoint.Parse(match.Groups["v4"].Value);
        var v6 = IPEndPoint.Parse(match.Groups["v6"].Value);

        (await Curl.RunAsync($"socks5h://user:pass@{v4}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body));
        (await Curl.RunAsync($"socks5h://user:pass@[::1]:{v6.Port}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body));
        web.Requests.Should().Be(2);
    }

    [Test]
    public async Task RepeatedListen_TheSameAddressTwice_IsAUsageError()
    {
        var (exitCode, _, stderr) = await Socks5dProcess.RunAsync("-l", "127.0.0.1", "-l", "127.0.0.1", "-p", "0");

        exitCode.Should().Be(64);
        stderr[0].Should().Be("socks5d: invalid address '127.0.0.1' for -l: given more than once");
    }

    [Test]
    public async Task RepeatedListen_OneAddressTaken_ExitsNamingIt()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, _, stderr) = await Socks5dProcess.RunAsync("-l", "127.0.0.1", "-l", "127.0.0.2", "-p", port.ToString());

        exitCode.Should().Be(69);
        stderr.Should().Equal($"socks5d: cannot listen on 127.0.0.2:{port}: address already in use");
    }

    [Test]
    public async Task OutboundAddress_TheTargetSeesIt_AndATargetOfTheOtherFamilyIsDialedUnbound()
    {
        await using var v4Target = TestTarget.Echo(IPAddress.Any);
        await using var v6Target = TestTarget.Echo(IPAddress.IPv6Loopback);
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "user:pass", "-b", "127.0.0.2");

        await EchoThroughAsync(proxy.Socks, new IPEndPoint(IPAddress.Loopback, v4Target.EndPoint.Port));
        await EchoThroughAsync(proxy.Socks, v6Target.EndPoint);

        v4Target.Peers.Select(p => p.Address.ToString()).Should().Equal(["127.0.0.2"], "-b 127.0.0.2 is the source of IPv4 connections");
        v6Target.Peers.Select(p => p.Address).Should().Equal([IPAddress.IPv6Loopback], "no IPv6 -b: the kernel chooses");
    }

    [Test]
    public async Task OutboundAddress_LongFormAndOnePerFamily()
    {
        await using var target = TestTarget.Echo(IPAddress.Any);
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "user:pass", "--outbound-address", "127.0.0.3", "-b", "::1");

        await EchoThroughAsync(proxy.Socks, new IPEndPoint(IPAddress.Loopback, target.EndPoint.Port));

        target.Peers.Select(p => p.Address.ToString()).Should().Equal("127.0.0.3");
        var (exitCode, _, stderr) = await Socks5dProcess.RunAsync("-p", "0", "-b", "127.0.0.2", "-b", "127.0.0.3");
        exitCode.Should().Be(64);
        stderr[0].Should().Be("socks5d: invalid address '127.0.0.3' for -b: an IPv4 address (127.0.0.2) is given already; -b takes one IPv4 and one IPv6 address");
    }

    private static async Task EchoThroughAsync(IPEndPoint proxy, IPEndPoint target)
    {
        using var client = await SocksTestClient.OpenTunnelAsync(proxy, target);
        await client.SendAsync("ping");
        Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(4)).Should().Be("ping");
    }

    [GeneratedRegex(@"listening on (?<v4>127\.0\.0\.1:\d+), (?<v6>\[::1\]:\d+) \(SOCKS5")]
    private static partial Regex TwoEndpoints();
}
