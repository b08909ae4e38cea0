using System.Net;
using System.Net.Sockets;

namespace EndToEnd.Tests.Hosting;

/// <summary>The real socks5d as a child process, driven by real clients (curl and raw sockets) on loopback.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class Socks5dProcessTests
{
    [Test]
    public async Task Help_ExitsZeroWithUsageOnStdout()
    {
        var (exitCode, stdout, stderr) = await Socks5dProcess.RunAsync("-h");

        exitCode.Should().Be(0);
        stdout[0].Should().StartWith("usage: socks5d");
        stdout.Should().Contain(line => line.Contains("--drain-timeout", StringComparison.Ordinal));
        stderr.Should().BeEmpty();
    }

    [Test]
    public async Task Version_ExitsZeroWithVersionOnStdout()
    {
        var (exitCode, stdout, stderr) = await Socks5dProcess.RunAsync("-v");

        exitCode.Should().Be(0);
        stdout.Should().ContainSingle().Which.Should().MatchRegex(@"^socks5d \d+\.\d+\.\d+$");
        stderr.Should().BeEmpty();
    }

    [Test]
    public async Task BadFlag_Exits64WithOneLineAndUsageOnStderr()
    {
        var (exitCode, stdout, stderr) = await Socks5dProcess.RunAsync("-p", "1080", "--frobnicate");

        exitCode.Should().Be(64);
        stdout.Should().BeEmpty();
        stderr[0].Should().Be("socks5d: unknown option '--frobnicate'");
        stderr[1].Should().StartWith("usage: socks5d");
        stderr.Should().NotContain(line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Test]
    public async Task PortInUse_Exits69WithOneLine()
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        var port = ((IPEndPoint)occupant.LocalEndPoint!).Port;

        var (exitCode, stdout, stderr) = await Socks5dProcess.RunAsync("-l", "127.0.0.1", "-p", port.ToString(), "--allow-anonymous");

        exitCode.Should().Be(69);
        stdout.Should().BeEmpty();
        stderr.Should().Equal($"socks5d: cannot listen on 127.0.0.1:{port}: address already in use");
    }

    [Test]
    public async Task SocketCompletions_InlineByDefault_OneEngineThreadPerCore()
    {
        // The runtime starts one ".NET Sockets" epoll thread per core when completions run inline on them, and
        // one for up to 30 cores when every completion goes to the thread pool.
        await using var inline = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "--allow-anonymous"]);
        await inline.WaitForListeningAsync();
        await using var pooled = Socks5dProcess.Start(
            ["-l", "127.0.0.1", "-p", "0", "--allow-anonymous"],
            environment: new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "0" });
        await pooled.WaitForListeningAsync();

        inline.ThreadsNamed(".NET Sockets").Should().Be(Environment.ProcessorCount);
        pooled.ThreadsNamed(".NET Sockets").Should().Be(Math.Max(1, (int)Math.Round(Environment.ProcessorCount / 30.0)),
            "an operator's DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 keeps the runtime's default");
    }

    [Test]
    public void RuntimeConfig_ThreadPoolWorkersDoNotSpin()
    {
        // What the runtime reads at start: socks5d's own runtimeconfig.json, next to socks5d.dll.
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "socks5d.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32().Should().Be(0);
    }

    [Test]
    public async Task Curl_Socks5hAndSocks5WithUser_GetThePage()
    {
        await using var web = new TinyWebServer();
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0"]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();

        var viaName = await Curl.RunAsync($"socks5h://user:pass@127.0.0.1:{proxy.Port}", $"http://127.0.0.1:{web.Port}/");
        var viaAddress = await Curl.RunAsync($"socks5://user:pass@127.0.0.1:{proxy.Port}", $"http://127.0.0.1:{web.Port}/");
        var badPassword = await Curl.RunAsync($"socks5h://user:wrong@127.0.0.1:{proxy.Port}", $"http://127.0.0.1:{web.Port}/");

        viaName.Should().Be((0, TinyWebServer.Body));
        viaAddress.Should().Be((0, TinyWebServer.Body));
        badPassword.ExitCode.Should().NotBe(0);
        web.Requests.Should().Be(2);
        socks5d.StandardError.Should().NotContain(line => line.Contains("nobody", StringComparison.OrdinalIgnoreCase));
    }

    [Test]
    public async Task NoUsers_WarnsAtStartupAndRefusesEveryone()
    {
        await using var socks5d = Socks5dProcess.Start(["-p", "0"]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();

        await socks5d.WaitForLineAsync(line => line.Contains("warn", StringComparison.Ordinal) && line.Contains("every client will be refused", StringComparison.Ordinal));
        using var client = await SocksTestClient.ConnectAsync(proxy);
        await client.SendAsync([0x05, 0x01, 0x00]);

        (await client.ReceiveAsync(2)).Should().Equal(0x05, 0xFF);
    }

    [Test]
    public async Task Sigterm_OpenSession_StopsListeningDrainsAndExitsZero()
    {
        await using var echo = new EchoServer();
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--drain-timeout", "60s"]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        using var tunnel = await SocksTestClient.OpenAsync(proxy, echo.EndPoint);

        socks5d.Signal(Socks5dProcess.SIGTERM);
        await socks5d.WaitForLineAsync(line => line.Contains("SIGTERM received", StringComparison.Ordinal));
        await Listeners.WaitUntilRefusedAsync(proxy);

        socks5d.HasExited.Should().BeFalse("a session is still open");
        await tunnel.SendAsync("still relayed"u8.ToArray());
        (await tunnel.ReceiveAsync(13)).Should().Equal("still relayed"u8.ToArray());
        tunnel.Socket.Shutdown(SocketShutdown.Send);
        (await tunnel.ReceiveAsync(1)).Should().BeNull("the echo server closed after our EOF");
        (await socks5d.WaitForExitAsync()).Should().Be(0);
    }

    [Test]
    public async Task Sigterm_DrainDeadlinePasses_AbortsSessionsAndExitsZero()
    {
        await using var echo = new EchoServer();
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--drain-timeout", "1s"]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        using var tunnel = await SocksTestClient.OpenAsync(proxy, echo.EndPoint);

        socks5d.Signal(Socks5dProcess.SIGTERM);

        (await tunnel.IsClosedByPeerAsync()).Should().BeTrue();
        (await socks5d.WaitForExitAsync()).Should().Be(0);
        socks5d.StandardError.Should().Contain(line => line.Contains("Drain deadline passed", StringComparison.Ordinal));
    }

    [Test]
    public async Task SecondSignal_DuringDrain_ExitsAtOnce()
    {
        await using var echo = new EchoServer();
        await using var socks5d = Socks5dProcess.Start(["-u", "user:pass", "-p", "0", "--drain-timeout", "10m"]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        using var tunnel = await SocksTestClient.OpenAsync(proxy, echo.EndPoint);

        socks5d.Signal(Socks5dProcess.SIGTERM);
        await socks5d.WaitForLineAsync(line => line.Contains("SIGTERM received", StringComparison.Ordinal));
        socks5d.Signal(Socks5dProcess.SIGINT);

        (await socks5d.WaitForExitAsync()).Should().Be(128 + Socks5dProcess.SIGINT);
        (await tunnel.IsClosedByPeerAsync()).Should().BeTrue();
    }
}
