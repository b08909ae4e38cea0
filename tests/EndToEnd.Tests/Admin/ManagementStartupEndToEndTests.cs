using System.Net;
using System.Net.Sockets;

namespace EndToEnd.Tests.Admin;

/// <summary>Starting the MCP listener of the real socks5d.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class ManagementStartupEndToEndTests
{
    [Test]
    public async Task ManagementPortInUse_Exits69WithOneLine()
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        var port = ((IPEndPoint)occupant.LocalEndPoint!).Port;

        var (exitCode, stdout, stderr) = await Socks5dProcess.RunAsync("-l", "127.0.0.1", "-p", "0", "-P", port.ToString(), "-u", "user:pass");

        exitCode.Should().Be(69);
        stdout.Should().BeEmpty();
        stderr.Should().Equal($"socks5d: cannot listen on 127.0.0.1:{port} (MCP management, -L/-P): address already in use");
    }

    [TestCase("0.0.0.0", true)]
    [TestCase("::", true)]
    [TestCase("127.0.0.1", false)]
    [TestCase("::1", false)]
    public async Task ManagementAddress_NotLoopback_WarnsThatMcpIsUnauthenticated(string address, bool warns)
    {
        await using var socks5d = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-L", address, "-u", "user:pass"]);

        // The warning comes before the listening line, through the same ordered console logger.
        await socks5d.WaitForListeningAsync();

        var warnings = socks5d.StandardError.Where(line => line.Contains("MCP is unauthenticated plain text", StringComparison.Ordinal)).ToList();
        if (warns)
        {
            warnings.Should().ContainSingle().Which.Should().Contain($"MCP listens on {address}, not on loopback");
        }
        else
        {
            warnings.Should().BeEmpty();
        }
    }

    [Test]
    public async Task ManagementOnIPv6Wildcard_IsDualStack()
    {
        await using var socks5d = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-L", "::", "-u", "user:pass"]);
        var management = await socks5d.WaitForManagementAsync();

        management.Address.Should().Be(IPAddress.IPv6Any);
        using var overIPv4 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await overIPv4.ConnectAsync(new IPEndPoint(IPAddress.Loopback, management.Port)).WaitAsync(TestTimeouts.Generous);
        await overIPv4.SendAsync(new byte[] { 0x01, 0x04, 0x00, 0x00 });
        var answer = new byte[5];
        var read = 0;
        while (read < answer.Length)
        {
            var n = await overIPv4.ReceiveAsync(answer.AsMemory(read)).AsTask().WaitAsync(TestTimeouts.Generous);
            n.Should().BePositive();
            read += n;
        }

        answer.Should().Equal(new byte[] { 0x01, 0x00, 0x00, 0x01, 0x00 }, "TOGGLE_DISECTOR over IPv4 to [::] answers OK, now off");
    }
}
