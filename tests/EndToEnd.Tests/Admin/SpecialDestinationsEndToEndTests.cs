using System.Net;
using EndToEnd.Tests.Support;
using SocksClient = Tests.Common.SocksTestClient;

namespace EndToEnd.Tests.Admin;

/// <summary>
/// The real socks5d refuses (REP 02) unspecified, link-local, metadata, multicast and broadcast destinations by
/// default, and --allow-all-destinations turns that off. Only the unspecified address is dialed for real (the kernel
/// routes 0.0.0.0 to this host), so nothing leaves the machine.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class SpecialDestinationsEndToEndTests
{
    [Test]
    public async Task Connect_SpecialDestinations_AreRefused02ByDefault()
    {
        await using var echo = new EchoServer();
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-P", "0", "-u", "user:pass");
        var forms = new (string Name, Func<SocksClient, Task<byte?>> Connect)[]
        {
            ("0.0.0.0 (reaches the local echo server when dialed)", c => c.ConnectAsync(IPAddress.Any, echo.EndPoint.Port)),
            ("::ffff:0.0.0.0", c => c.ConnectAsync(IPAddress.Parse("::ffff:0.0.0.0"), echo.EndPoint.Port)),
            ("the name 0.0.0.0", c => c.ConnectAsync("0.0.0.0", echo.EndPoint.Port)),
            ("metadata 169.254.169.254", c => c.ConnectAsync(IPAddress.Parse("169.254.169.254"), 80)),
            ("the name 169.254.169.254", c => c.ConnectAsync("169.254.169.254", 80)),
            ("::ffff:169.254.169.254", c => c.ConnectAsync(IPAddress.Parse("::ffff:169.254.169.254"), 80)),
            ("fd00:ec2::254", c => c.ConnectAsync(IPAddress.Parse("fd00:ec2::254"), 80)),
            ("link-local fe80::1", c => c.ConnectAsync(IPAddress.Parse("fe80::1"), 80)),
            ("multicast 224.0.0.1", c => c.ConnectAsync(IPAddress.Parse("224.0.0.1"), 80)),
            ("broadcast", c => c.ConnectAsync(IPAddress.Broadcast, 80)),
        };

        foreach (var (name, connect) in forms)
        {
            using var client = await SocksClient.ConnectAsync(proxy.Socks);
            (await client.AuthenticateAsync("user", "pass")).Should().Be(0x00);
            (await connect(client)).Should().Be(0x02, name);
        }

        echo.EndPoint.Address.Should().Be(IPAddress.Loopback);
        using var allowed = await SocksClient.ConnectAsync(proxy.Socks);
        (await allowed.AuthenticateAsync("user", "pass")).Should().Be(0x00);
        (await allowed.ConnectAsync(IPAddress.Loopback, echo.EndPoint.Port)).Should().Be(0x00, "loopback stays reachable");
    }

    [Test]
    public async Task Connect_UnspecifiedAddress_WithAllowAllDestinations_IsRelayed()
    {
        await using var echo = new EchoServer();
        await using var proxy = await RunningProxy.StartAsync(
            "-l", "127.0.0.1", "-p", "0", "-P", "0", "-u", "user:pass", "--allow-all-destinations");
        using var client = await SocksClient.ConnectAsync(proxy.Socks);
        (await client.AuthenticateAsync("user", "pass")).Should().Be(0x00);

        (await client.ConnectAsync(IPAddress.Any, echo.EndPoint.Port)).Should().Be(0x00);
    }
}
