using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Samples;

/// <summary>
/// The three samples of samples/ (docs/embedding.md) as built by the solution, each run as its own process and used by a
/// real SOCKS client or against a real socks5d.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed partial class SampleTests
{
    [Test]
    public async Task EmbeddedProxy_RelaysForAlice_RefusesTheMailPortsAndAWrongPassword_PrintsTheMetricsWhenStopped()
    {
        await using var echo = new EchoServer();
        await using var sample = ChildProcess.StartDotnet("EmbeddedProxy.dll", "127.0.0.1:0");
        var proxy = await ListeningEndPointAsync(sample);

        await RelaysAsAliceAsync(proxy, echo);
        using (var wrongPassword = await SocksTestClient.ConnectAsync(proxy))
        {
            (await wrongPassword.AuthenticateAsync("alice", "not the password")).Should().Be(0x01);
        }

        using (var mail = await SocksTestClient.ConnectAsync(proxy))
        {
            (await mail.AuthenticateAsync("alice", "wonderland")).Should().Be(0x00);
            (await mail.ConnectAsync(IPAddress.Loopback, 25)).Should().Be(0x02, "the sample's policy refuses the SMTP ports");
        }

        sample.Terminate();
        (await sample.WaitForExitAsync()).Should().Be(0);
        sample.StandardOutput.Should().ContainSingle(line => line.StartsWith("SocksMetricsSnapshot {", StringComparison.Ordinal))
            .Which.Should().Contain("HistoricalConnections = 3").And.Contain("SuccessfulConnections = 1")
            .And.Contain("AuthenticationFailures = 1").And.Contain("FailuresByReply = { ConnectionNotAllowed = 1 }");
    }

    [Test]
    public async Task HostedProxy_WithEndpointsFromTheCommandLine_RelaysForAlice_RefusesAnonymous_StopsOnSigterm()
    {
        await using var echo = new EchoServer();
        await using var sample = ChildProcess.StartDotnet("HostedProxy.dll", "--Socks:Endpoints:0=127.0.0.1:0");
        var proxy = await ListeningEndPointAsync(sample);

        await RelaysAsAliceAsync(proxy, echo);
        using (var anonymous = await SocksTestClient.ConnectAsync(proxy))
        {
            await anonymous.SendAsync(0x05, 0x01, 0x00);
            (await anonymous.ReceiveAsync(2)).Should().Equal([0x05, 0xFF], "the IUserStore service holds alice, so X'00' is not accepted");
        }

        sample.Terminate();
        (await sample.WaitForExitAsync()).Should().Be(0, "SIGTERM stops the host gracefully");
        sample.StandardOutput.Should().ContainSingle(line => line.StartsWith("SocksMetricsSnapshot {", StringComparison.Ordinal))
            .Which.Should().Contain("HistoricalConnections = 2").And.Contain("SuccessfulConnections = 1").And.Contain("NoAcceptableMethods = 1");
    }

    [Test]
    public async Task ManageProxy_AgainstSocks5d_AddsAUserThatCanLogIn_PrintsTheMetrics_AndReportsAUserThatExists()
    {
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "user:pass");
        var mcp = $"127.0.0.1:{proxy.Management.Port}";

        var added = await ChildProcess.RunAsync(Mcpctl.DotnetHost(), [Path.Combine(AppContext.BaseDirectory, "ManageProxy.dll"), mcp, "bob", "secret"], TestTimeouts.Generous);

        added.ExitCode.Should().Be(0, added.Stderr);
        added.StdoutLines.Should().Contain("added user bob").And.Contain(line => line.StartsWith("historical connections: ", StringComparison.Ordinal));
        using (var bob = await SocksTestClient.ConnectAsync(proxy.Socks))
        {
            (await bob.AuthenticateAsync("bob", "secret")).Should().Be(0x00, "the user the sample added over MCP");
        }

        var again = await ChildProcess.RunAsync(Mcpctl.DotnetHost(), [Path.Combine(AppContext.BaseDirectory, "ManageProxy.dll"), mcp, "bob", "secret"], TestTimeouts.Generous);
        again.ExitCode.Should().Be(1);
        again.Stderr.Should().Be("ManageProxy: socks5d answered UserExists");
    }

    /// <summary>A CONNECT as alice to the echo server relays both ways.</summary>
    internal static async Task RelaysAsAliceAsync(IPEndPoint proxy, EchoServer echo)
    {
        using var tunnel = await SocksTestClient.OpenTunnelAsync(proxy, echo.EndPoint, "alice", "wonderland");
        var payload = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
        await tunnel.SendAsync(payload);
        (await tunnel.ReceiveAsync(payload.Length)).Should().Equal(payload);
        tunnel.Socket.Shutdown(SocketShutdown.Send);
        (await tunnel.ReceiveUntilClosedAsync()).Should().Be(0);
    }

    /// <summary>The endpoint of the sample's "SOCKS5 proxy listening on ADDRESS:PORT" line.</summary>
    internal static async Task<IPEndPoint> ListeningEndPointAsync(ChildProcess sample)
    {
        var line = await sample.WaitForOutputAsync(l => ListeningLine().IsMatch(l));
        return IPEndPoint.Parse(ListeningLine().Match(line).Groups["endpoint"].Value);
    }

    [GeneratedRegex(@"listening on (?<endpoint>\S+:\d+)")]
    private static partial Regex ListeningLine();
}
