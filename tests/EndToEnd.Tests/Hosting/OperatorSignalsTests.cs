using System.Text;
using SocksClient = Tests.Common.SocksTestClient;

namespace EndToEnd.Tests.Hosting;

/// <summary>SIGUSR1 writes one statistics line and SIGUSR2 is ignored: neither stops the real socks5d.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class OperatorSignalsTests
{
    private const int SIGUSR1 = 10;
    private const int SIGUSR2 = 12;

    [Test]
    public async Task Sigusr1_LogsTheCountersAndKeepsServing_Sigusr2_IsIgnored()
    {
        await using var echo = new EchoServer();
        await using var socks5d = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-P", "0", "-u", "user:pass"]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        using var tunnel = await SocksClient.OpenTunnelAsync(proxy, echo.EndPoint);
        await tunnel.SendAsync("ping");
        Encoding.ASCII.GetString(await tunnel.ReceiveExactlyAsync(4)).Should().Be("ping");

        socks5d.Signal(SIGUSR1);
        var first = await socks5d.WaitForLineAsync(line => line.Contains("SIGUSR1: ", StringComparison.Ordinal));

        first.Should().Contain("SIGUSR1: historical 1, concurrent 1 (negotiating 0, past the handshake 1)")
            .And.Contain("successful 1, failed 0").And.Contain("users 1 of 10").And.MatchRegex(@"descriptors \d+, at most \d+ connections");

        socks5d.Signal(SIGUSR2);
        using (var second = await SocksClient.OpenTunnelAsync(proxy, echo.EndPoint))
        {
            await second.SendAsync("pong");
            Encoding.ASCII.GetString(await second.ReceiveExactlyAsync(4)).Should().Be("pong", "SIGUSR2 did not stop the proxy");
        }

        socks5d.Signal(SIGUSR1);
        var again = await socks5d.WaitForLineAsync(line => line.Contains("SIGUSR1: historical 2,", StringComparison.Ordinal));
        again.Should().Contain("successful 2");
        socks5d.HasExited.Should().BeFalse();
    }
}
