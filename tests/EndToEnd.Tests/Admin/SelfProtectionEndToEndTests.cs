using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using EndToEnd.Tests.Support;
using SocksClient = Tests.Common.SocksTestClient;

namespace EndToEnd.Tests.Admin;

/// <summary>The real socks5d refuses (REP 02) to CONNECT to its own MCP and SOCKS endpoints, however the client names them.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class SelfProtectionEndToEndTests
{
    [Test]
    public async Task Connect_ToManagementOrSocksEndpoint_InEveryAddressForm_IsRefused02()
    {
        await using var echo = new EchoServer();

        // SOCKS on every interface ([::] dual-stack), MCP on the default 127.0.0.1.
        await using var proxy = await RunningProxy.StartAsync("-p", "0", "-u", "user:pass");
        var mcp = proxy.Management.Port;
        var socks = proxy.Socks.Port;
        var forms = new List<(string Name, Func<SocksClient, Task<byte?>> Connect)>
        {
            ("MCP as 127.0.0.1", c => c.ConnectAsync(IPAddress.Loopback, mcp)),
            ("MCP as ::1", c => c.ConnectAsync(IPAddress.IPv6Loopback, mcp)),
            ("MCP as ::ffff:127.0.0.1", c => c.ConnectAsync(IPAddress.Parse("::ffff:127.0.0.1"), mcp)),
            ("MCP as 127.0.0.2", c => c.ConnectAsync(IPAddress.Parse("127.0.0.2"), mcp)),
            ("MCP as 0.0.0.0", c => c.ConnectAsync(IPAddress.Any, mcp)),
            ("MCP as ::", c => c.ConnectAsync(IPAddress.IPv6Any, mcp)),
            ("MCP as the name localhost", c => c.ConnectAsync("localhost", mcp)),
            ("MCP as the name 127.0.0.1", c => c.ConnectAsync("127.0.0.1", mcp)),
            ("SOCKS as 127.0.0.1", c => c.ConnectAsync(IPAddress.Loopback, socks)),
            ("SOCKS as ::1", c => c.ConnectAsync(IPAddress.IPv6Loopback, socks)),
            ("SOCKS as the name localhost", c => c.ConnectAsync("localhost", socks)),
        };
        foreach (var address in LocalInterfaceAddresses())
        {
            forms.Add(($"SOCKS as interface address {address}", c => c.ConnectAsync(address, socks)));
        }

        foreach (var (name, connect) in forms)
        {
            using var client = await SocksClient.ConnectAsync(proxy.Socks);
            (await client.AuthenticateAsync("user", "pass")).Should().Be(0x00);
            (await connect(client)).Should().Be(0x02, name);
        }

        using var allowed = await SocksClient.ConnectAsync(proxy.Socks);
        (await allowed.AuthenticateAsync("user", "pass")).Should().Be(0x00);
        (await allowed.ConnectAsync(echo.EndPoint.Address, echo.EndPoint.Port)).Should().Be(0x00, "other local services stay reachable");
    }

    [Test]
    public async Task Connect_ManagementOnWildcard_ReachedThroughAnyLocalAddress_IsRefused02()
    {
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-L", "0.0.0.0", "-u", "user:pass");
        var mcp = proxy.Management.Port;
        proxy.Management.Address.Should().Be(IPAddress.Any);
        var addresses = LocalInterfaceAddresses().Append(IPAddress.Loopback).Append(IPAddress.Parse("::ffff:127.0.0.1")).ToList();

        foreach (var address in addresses)
        {
            // The address really reaches MCP, so the refusal is what stops it.
            using (var direct = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
            {
                if (address.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    direct.DualMode = true; // ::ffff:a.b.c.d goes out as IPv4
                }

                await direct.ConnectAsync(new IPEndPoint(address, mcp)).WaitAsync(TestTimeouts.Generous);
            }

            using var client = await SocksClient.ConnectAsync(proxy.Socks);
            (await client.AuthenticateAsync("user", "pass")).Should().Be(0x00);
            (await client.ConnectAsync(address, mcp)).Should().Be(0x02, address.ToString());
        }
    }

    /// <summary>The IPv4 unicast addresses of this host's interfaces other than loopback (may be none).</summary>
    private static IEnumerable<IPAddress> LocalInterfaceAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            .ToList();
}
