using System.Globalization;
using McpCli.Tests.Support;

namespace McpCli.Tests;

/// <summary>
/// MCPCTL_HOST, MCPCTL_PORT and MCPCTL_SOCKET with the real mcpctl binary: defaults for --host, --port and --socket,
/// the command line winning, and a bad value named in one line (docs/mcpctl.md, "Environment").
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class EnvironmentTests
{
    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Env(params string[] pairs)
    {
        var environment = new Dictionary<string, string>();
        for (var i = 0; i < pairs.Length; i += 2)
        {
            environment[pairs[i]] = pairs[i + 1];
        }

        return environment;
    }

    [Test]
    public async Task Port_FromMcpctlPort_ReachesTheServer()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x01));

        var result = await Mcpctl.RunAsync(["toggle-dissector"], Env("MCPCTL_PORT", Text(server.Port)));

        result.Should().Be(new RunResult(0, "dissector is now on\n", ""));
        server.Requests.Select(Hex.Format).Should().Equal("01 04 00 00");
    }

    [TestCase("127.0.0.1")]
    [TestCase("localhost")]
    public async Task HostAndPort_FromTheEnvironment_ReachTheServer(string host)
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x00));

        var result = await Mcpctl.RunAsync(["dissector", "status"], Env("MCPCTL_HOST", host, "MCPCTL_PORT", Text(server.Port)));

        result.Should().Be(new RunResult(0, "dissector is off\n", ""));
    }

    [Test]
    public async Task PortFlag_WinsOverMcpctlPort_WhichIsThenNotEvenChecked()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x01));
        var unused = UnusedPort();

        (await Mcpctl.RunAsync(["toggle-dissector", "-P", Text(server.Port)], Env("MCPCTL_PORT", Text(unused))))
            .Should().Be(new RunResult(0, "dissector is now on\n", ""));
        (await Mcpctl.RunAsync(["--port=" + Text(server.Port), "toggle-dissector"], Env("MCPCTL_PORT", "not-a-port")))
            .ExitCode.Should().Be(0, "an unused variable is not an error");
    }

    [Test]
    public async Task HostFlag_WinsOverMcpctlHost()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x01));

        var result = await Mcpctl.RunAsync(["toggle-dissector", "-H", "127.0.0.1"], Env("MCPCTL_HOST", "192.0.2.1", "MCPCTL_PORT", Text(server.Port)));

        result.Should().Be(new RunResult(0, "dissector is now on\n", ""), "-H wins, the port still comes from MCPCTL_PORT");
    }

    [Test]
    public async Task TcpFlags_WinOverMcpctlSocket()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x01));
        var socket = Env("MCPCTL_SOCKET", "/nonexistent/mcp.sock");

        (await Mcpctl.RunAsync(["toggle-dissector", "-P", Text(server.Port)], socket)).ExitCode.Should().Be(0, "-P means TCP");
        (await Mcpctl.RunAsync(["toggle-dissector", "-H", "127.0.0.1", "-P", Text(server.Port)], socket)).ExitCode.Should().Be(0);
        server.Requests.Should().HaveCount(2);
    }

    [Test]
    public async Task McpctlSocket_WithoutFlags_IsWhereMcpctlConnects()
    {
        var result = await Mcpctl.RunAsync(["metrics"], Env("MCPCTL_SOCKET", "/nonexistent/mcp.sock"));

        result.Should().Be(new RunResult(69, "", "mcpctl: cannot connect to unix:/nonexistent/mcp.sock: no such socket file (is socks5d running with -L unix:PATH?)\n"));
    }

    [Test]
    public async Task EmptyVariables_CountAsUnset()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x01));

        var result = await Mcpctl.RunAsync(["toggle-dissector"], Env("MCPCTL_HOST", "", "MCPCTL_SOCKET", "", "MCPCTL_PORT", Text(server.Port)));

        result.ExitCode.Should().Be(0, result.Stderr);
    }

    [TestCase("MCPCTL_PORT", "0", "", "", "mcpctl: MCPCTL_PORT must be a port number 1-65535, got '0'")]
    [TestCase("MCPCTL_PORT", "65536", "", "", "mcpctl: MCPCTL_PORT must be a port number 1-65535, got '65536'")]
    [TestCase("MCPCTL_PORT", "-1", "", "", "mcpctl: MCPCTL_PORT must be a port number 1-65535, got '-1'")]
    [TestCase("MCPCTL_PORT", "http", "", "", "mcpctl: MCPCTL_PORT must be a port number 1-65535, got 'http'")]
    [TestCase("MCPCTL_PORT", " 8080", "", "", "mcpctl: MCPCTL_PORT must be a port number 1-65535, got ' 8080'")]
    [TestCase("MCPCTL_PORT", "80\u001b[2J", "", "", "mcpctl: MCPCTL_PORT must be a port number 1-65535, got '80\\x1B[2J'")]
    [TestCase("MCPCTL_HOST", "   ", "", "", "mcpctl: MCPCTL_HOST must be a host name or address, or unix:PATH; it holds only white space")]
    [TestCase("MCPCTL_HOST", "unix:", "", "", "mcpctl: MCPCTL_HOST: the Unix socket path must not be empty")]
    [TestCase("MCPCTL_HOST", "unix:/run/mcp.sock", "MCPCTL_PORT", "8080", "mcpctl: MCPCTL_PORT does not apply to a Unix socket (MCPCTL_HOST is unix:PATH); unset one of them")]
    [TestCase("MCPCTL_SOCKET", "/run/mcp.sock", "MCPCTL_HOST", "127.0.0.1", "mcpctl: MCPCTL_SOCKET and MCPCTL_HOST are both set; unset one of them, or give --socket or --host")]
    [TestCase("MCPCTL_SOCKET", "/run/mcp.sock", "MCPCTL_PORT", "8080", "mcpctl: MCPCTL_PORT does not apply to a Unix socket (MCPCTL_SOCKET is set); unset one of them")]
    public async Task BadValue_Exits64WithOneLineNamingTheVariable(string name, string value, string otherName, string otherValue, string message)
    {
        var environment = Env(name, value);
        if (otherName.Length > 0)
        {
            environment[otherName] = otherValue;
        }

        var result = await Mcpctl.RunAsync(["metrics"], environment);

        result.Should().Be(new RunResult(64, "", message + "\n"));
    }

    [Test]
    public async Task McpctlSocket_TooLong_Exits64NamingTheVariable()
    {
        var result = await Mcpctl.RunAsync(["list-users"], Env("MCPCTL_SOCKET", "/" + new string('s', 107)));

        result.Should().Be(new RunResult(64, "", "mcpctl: MCPCTL_SOCKET: the Unix socket path is 108 bytes; the limit is 107\n"));
    }

    [Test]
    public async Task Help_ListsTheVariables()
    {
        var result = await Mcpctl.RunAsync(["--help"]);

        result.StdoutLines.Should().Contain("  MCPCTL_HOST     like --host (a host, or unix:PATH)")
            .And.Contain("  MCPCTL_PORT     like --port")
            .And.Contain("  MCPCTL_SOCKET   like --socket; not together with MCPCTL_HOST or MCPCTL_PORT");
    }

    private static int UnusedPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
