using System.Text.Json;
using SocksClient = Tests.Common.SocksTestClient;

namespace EndToEnd.Tests.Hosting;

/// <summary>--log-level and --log-format of the real socks5d's diagnostic log (standard error).</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class DiagnosticLogTests
{
    private const int SIGUSR1 = 10;

    [Test]
    public async Task LogFormatJsonAndLevelDebug_EveryLineIsOneJsonObject_SessionDebugLinesAppear()
    {
        await using var echo = new EchoServer();
        await using var socks5d = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-P", "0", "-u", "user:pass", "--log-format", "json", "--log-level", "debug"]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        using (var client = await SocksClient.OpenTunnelAsync(proxy, echo.EndPoint))
        {
            await client.SendAsync("x");
            (await client.ReceiveExactlyAsync(1)).Should().Equal((byte)'x');
        }

        var accepted = await socks5d.WaitForLineAsync(line => line.Contains("Session 1: accepted from", StringComparison.Ordinal));

        using var json = JsonDocument.Parse(accepted);
        json.RootElement.GetProperty("LogLevel").GetString().Should().Be("Debug");
        json.RootElement.GetProperty("EventId").GetInt32().Should().Be(100);
        json.RootElement.GetProperty("Category").GetString().Should().Be("Socks.Core.Server");
        socks5d.StandardError.Should().OnlyContain(line => IsJsonObject(line));
    }

    [Test]
    public async Task DefaultLevel_SessionDebugLinesAreNotWritten()
    {
        await using var echo = new EchoServer();
        await using var socks5d = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-P", "0", "-u", "user:pass"]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        using (var client = await SocksClient.OpenTunnelAsync(proxy, echo.EndPoint))
        {
            await client.SendAsync("x");
            (await client.ReceiveExactlyAsync(1)).Should().Equal((byte)'x');
        }

        // The console logger writes in order: once the SIGUSR1 line (logged after the session began) is out,
        // a debug line of that session would be out too.
        socks5d.Signal(SIGUSR1);
        await socks5d.WaitForLineAsync(line => line.Contains("SIGUSR1: historical 1,", StringComparison.Ordinal));

        socks5d.StandardError.Should().NotContain(line => line.Contains("accepted from", StringComparison.Ordinal));
        socks5d.StandardError.Should().Contain(line => line.Contains(" info: ", StringComparison.Ordinal), "text is the default format");
    }

    private static bool IsJsonObject(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
