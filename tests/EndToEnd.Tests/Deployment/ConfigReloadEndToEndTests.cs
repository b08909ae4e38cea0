using System.Net;
using System.Runtime.Versioning;
using EndToEnd.Tests.Support;
using SocksClient = Tests.Common.SocksTestClient;

namespace EndToEnd.Tests.Deployment;

/// <summary>SIGHUP reads the real socks5d's --config file again: what can change is applied, the rest is named, a bad file changes nothing.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
[SupportedOSPlatform("linux")]
public sealed class ConfigReloadEndToEndTests
{
    private const int SIGHUP = 1;

    private string _directory = "";
    private string _config = "";

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Directory.CreateTempSubdirectory("socks5d-config-reload-").FullName;
        _config = Path.Combine(_directory, "socks5d.json");
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Sighup_AfterTheFileChanged_AllowsTheDestination_LogsAtDebug_AndNamesWhatNeedsARestart()
    {
        await using var echo = new EchoServer();
        await File.WriteAllTextAsync(_config, """{ "listen": "127.0.0.1", "port": 0, "user": ["user:pass"], "max-connections": 64 }""");
        await using var proxy = await RunningProxy.StartAsync("--config", _config);
        (await ConnectToUnspecifiedAsync(proxy, echo)).Should().Be(0x02, "0.0.0.0 is refused by default");

        await File.WriteAllTextAsync(_config, """
            { "listen": "127.0.0.1", "port": 0, "user": ["user:pass"], "max-connections": 32,
              "allow-all-destinations": true, "log-level": "debug" }
            """);
        proxy.Process.Signal(SIGHUP);

        var line = await proxy.Process.WaitForLineAsync(l => l.Contains("SIGHUP received", StringComparison.Ordinal));
        line.Should().Contain(" info: ").And.EndWith(
            $"; configuration {_config} reloaded: allow-all-destinations true, log-level debug; needs a restart (running value kept): max-connections");
        proxy.Process.StandardError.Should().NotContain(l => l.Contains(" dbug: ", StringComparison.Ordinal), "the refused session came before debug");
        (await ConnectToUnspecifiedAsync(proxy, echo)).Should().Be(0x00, "allow-all-destinations is on now");
        await proxy.Process.WaitForLineAsync(l => l.Contains(" dbug: Socks.Core", StringComparison.Ordinal) && l.Contains(": connected to ", StringComparison.Ordinal));
    }

    [Test]
    public async Task Sighup_NoDissectorChangedInTheFile_SwitchesTheDissectors_AndAnMcpChangeStaysWhileTheFileDoesNot()
    {
        await File.WriteAllTextAsync(_config, """{ "listen": "127.0.0.1", "port": 0, "user": ["user:pass"] }""");
        await using var proxy = await RunningProxy.StartAsync("--config", _config);
        (await proxy.McpctlAsync("dissector", "status")).Stdout.Should().Be("dissector is on\n");

        await File.WriteAllTextAsync(_config, """{ "listen": "127.0.0.1", "port": 0, "user": ["user:pass"], "no-dissector": true }""");
        proxy.Process.Signal(SIGHUP);
        (await proxy.Process.WaitForLineAsync(l => l.Contains("SIGHUP received", StringComparison.Ordinal)))
            .Should().EndWith($"; configuration {_config} reloaded: no-dissector true (dissectors off)");
        (await proxy.McpctlAsync("dissector", "status")).Stdout.Should().Be("dissector is off\n");

        // An operator switches them on over MCP; a SIGHUP with the file unchanged leaves that alone.
        (await proxy.McpctlAsync("dissector", "on")).ExitCode.Should().Be(0);
        proxy.Process.Signal(SIGHUP);
        await proxy.Process.WaitForLineAsync(l => l.EndsWith($"; configuration {_config} reloaded: nothing to apply", StringComparison.Ordinal));
        (await proxy.McpctlAsync("dissector", "status")).Stdout.Should().Be("dissector is on\n");
    }

    [Test]
    public async Task Sighup_WithAnInvalidFile_KeepsEverything_AndLogsOneWarningNamingTheFileAndTheKey()
    {
        await using var echo = new EchoServer();
        await File.WriteAllTextAsync(_config, """{ "listen": "127.0.0.1", "port": 0, "user": ["user:pass"] }""");
        await using var proxy = await RunningProxy.StartAsync("--config", _config);

        await File.WriteAllTextAsync(_config, """{ "listen": "127.0.0.1", "port": 0, "user": ["user:pass"], "allow-all-destinations": true, "idle-timeout": "soon" }""");
        proxy.Process.Signal(SIGHUP);
        var line = await proxy.Process.WaitForLineAsync(l => l.Contains("SIGHUP received", StringComparison.Ordinal));

        line.Should().Contain(" warn: ").And.EndWith($"; configuration {_config} not reloaded, the running configuration is kept: " +
            $"invalid duration 'soon' for --idle-timeout: expected 0 or more seconds, or a number with ms, s, m or h, up to 49 days (set in {_config})");
        (await ConnectToUnspecifiedAsync(proxy, echo)).Should().Be(0x02, "nothing of the invalid file was applied");

        await File.WriteAllTextAsync(_config, "{ \"listen\": ");
        proxy.Process.Signal(SIGHUP);
        line = await proxy.Process.WaitForLineAsync(l => l.Contains("cannot read the configuration file", StringComparison.Ordinal));
        line.Should().Contain(" warn: ").And.Contain($"configuration {_config} not reloaded, the running configuration is kept: cannot read the configuration file {_config}: ");
        proxy.Process.HasExited.Should().BeFalse();
        (await ConnectToUnspecifiedAsync(proxy, echo)).Should().Be(0x02);
    }

    /// <summary>CONNECT to 0.0.0.0 (the kernel routes it to this host, so the echo server answers when it is allowed).</summary>
    private static async Task<byte?> ConnectToUnspecifiedAsync(RunningProxy proxy, EchoServer echo)
    {
        using var client = await SocksClient.ConnectAsync(proxy.Socks);
        (await client.AuthenticateAsync("user", "pass")).Should().Be(0x00);
        return await client.ConnectAsync(IPAddress.Any, echo.EndPoint.Port);
    }
}
