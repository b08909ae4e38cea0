namespace EndToEnd.Tests.Admin;

/// <summary>
/// MCPCTL_SOCKET, MCPCTL_HOST and MCPCTL_PORT with the real mcpctl against the real socks5d on TCP and on its Unix
/// socket (docs/mcpctl.md, "Environment").
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class McpctlEnvironmentEndToEndTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("socks5d-mcpenv-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task UnixSocket_FromMcpctlSocketOrMcpctlHost_AndTheSocketFlagWinsOverBadTcpVariables()
    {
        var path = Path.Combine(_directory, "mcp.sock");
        await using var socks5d = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-L", "unix:" + path, "-u", "admin:adminpw"]);
        (await socks5d.WaitForManagementSocketAsync()).Should().Be(path);
        await socks5d.WaitForListeningAsync();

        (await Mcpctl.RunAsync(["list-users"], new Dictionary<string, string> { ["MCPCTL_SOCKET"] = path }))
            .Should().Be(new RunResult(0, "admin\n", ""));
        (await Mcpctl.RunAsync(["dissector", "off"], new Dictionary<string, string> { ["MCPCTL_HOST"] = "unix:" + path }))
            .Should().Be(new RunResult(0, "dissector is now off\n", ""));
        (await Mcpctl.RunAsync(["--socket", path, "dissector", "status"], new Dictionary<string, string> { ["MCPCTL_HOST"] = "192.0.2.1", ["MCPCTL_PORT"] = "nonsense" }))
            .Should().Be(new RunResult(0, "dissector is off\n", ""), "--socket wins; the TCP variables are not used, so not checked");
    }

    [Test]
    public async Task Tcp_FromMcpctlHostAndPort_ReachesSocks5d()
    {
        await using var socks5d = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-P", "0", "-u", "admin:adminpw"]);
        await socks5d.WaitForListeningAsync();
        var management = await socks5d.WaitForManagementAsync();

        var result = await Mcpctl.RunAsync(
            ["add-user", "carol", "c4rol-pw"],
            new Dictionary<string, string> { ["MCPCTL_HOST"] = "127.0.0.1", ["MCPCTL_PORT"] = management.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        result.Should().Be(new RunResult(0, "user 'carol' added\n", ""));
        (await Mcpctl.RunAsync(["list-users", "-P", management.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            .Stdout.Should().Be("admin\ncarol\n");
    }
}
