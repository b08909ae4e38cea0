using System.Diagnostics;
using System.Runtime.Versioning;
using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Admin;

/// <summary>
/// Who may administer the real socks5d: the real mcpctl run as root (served) and as nobody through setpriv (refused,
/// unless --mcp-allow-uid names it), over loopback TCP and over a Unix socket (-L unix:PATH).
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
[SupportedOSPlatform("linux")]
public sealed class McpAccessEndToEndTests
{
    private const UnixFileMode Mode0660 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    private string _directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        // Traversable by nobody, so that only the socket's own mode decides whether nobody may connect.
        _directory = Directory.CreateTempSubdirectory("socks5d-mcp-").FullName;
        File.SetUnixFileMode(_directory, File.GetUnixFileMode(_directory) | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Tcp_OtherUser_IsRefusedWithOneLineAndLogged_RootIsServed()
    {
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "admin:adminpw");
        var port = proxy.Management.Port.ToString();
        (await proxy.Process.WaitForLineAsync(l => l.Contains("MCP management listening on", StringComparison.Ordinal)))
            .Should().Contain("serving uid 0)", "root (socks5d's own uid here) only, by default");

        var nobody = await McpctlAsUser.RunAsNobodyAsync("-P", port, "add-user", "eve", "evepw");

        nobody.Should().Be(new RunResult(77, "", $"mcpctl: 127.0.0.1:{port} refused this connection: uid 65534 is not allowed (socks5d --mcp-allow-uid)\n"));
        var warning = await proxy.Process.WaitForLineAsync(l => l.Contains("refused: uid 65534 is not allowed", StringComparison.Ordinal));
        warning.Should().Contain("warn:").And.Contain("MCP connection").And.Contain("from 127.0.0.1:");

        var root = await proxy.McpctlAsync("list-users");
        root.Should().Be(new RunResult(0, "admin\n", ""), "eve was never added, and root is served");
        (await proxy.McpctlAsync("add-user", "carol", "c4rol-pw")).ExitCode.Should().Be(0);
        (await proxy.Process.WaitForLineAsync(l => l.Contains("user \"carol\" added", StringComparison.Ordinal)))
            .Should().MatchRegex(@"MCP connection \d+ from 127\.0\.0\.1:\d+ uid 0: user ""carol"" added$");
    }

    [Test]
    public async Task Tcp_AllowUidNobody_ServesNobody_AndLogsItsUidWithItsActions()
    {
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "admin:adminpw", "--mcp-allow-uid", "nobody");
        (await proxy.Process.WaitForLineAsync(l => l.Contains("MCP management listening on", StringComparison.Ordinal)))
            .Should().Contain("serving uid 0, 65534)");

        var added = await McpctlAsUser.RunAsNobodyAsync("-P", proxy.Management.Port.ToString(), "add-user", "eve", "evepw");
        var toggled = await McpctlAsUser.RunAsNobodyAsync("-P", proxy.Management.Port.ToString(), "toggle-dissector");

        added.Should().Be(new RunResult(0, "user 'eve' added\n", ""));
        toggled.Should().Be(new RunResult(0, "dissector is now off\n", ""));
        (await proxy.Process.WaitForLineAsync(l => l.Contains("user \"eve\" added", StringComparison.Ordinal))).Should().Contain(" uid 65534: user \"eve\" added");
        (await proxy.Process.WaitForLineAsync(l => l.Contains("dissector switched off", StringComparison.Ordinal))).Should().Contain(" uid 65534: dissector switched off");
        (await proxy.McpctlAsync("list-users")).Stdout.Should().Be("admin\neve\n");
    }

    [Test]
    public async Task UnixSocket_IsMode0660_RootIsServed_NobodyIsKeptOutTwice_AndTheFileGoesAtSigterm()
    {
        var path = Path.Combine(_directory, "mcp.sock");
        await using var socks5d = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-L", "unix:" + path, "-u", "admin:adminpw"]);
        (await socks5d.WaitForManagementSocketAsync()).Should().Be(path);
        await socks5d.WaitForListeningAsync();

        (await StatAsync(path)).Should().Be("socket srw-rw----");
        File.GetUnixFileMode(path).Should().Be(Mode0660);

        (await Mcpctl.RunAsync(["--socket", path, "list-users"])).Should().Be(new RunResult(0, "admin\n", ""));
        (await Mcpctl.RunAsync(["-H", "unix:" + path, "toggle-dissector"])).Should().Be(new RunResult(0, "dissector is now off\n", ""));
        (await socks5d.WaitForLineAsync(l => l.Contains("dissector switched off", StringComparison.Ordinal)))
            .Should().MatchRegex($@"MCP connection \d+ from unix:{path} \(pid \d+\) uid 0: dissector switched off$");

        // 0660 and owned by root: nobody may not even connect.
        var denied = await McpctlAsUser.RunAsNobodyAsync("--socket", path, "add-user", "eve", "evepw");
        denied.Should().Be(new RunResult(77, "", $"mcpctl: cannot connect to unix:{path}: permission denied\n"));

        // Opened up by hand, the socket lets nobody connect, and the server refuses it by its SO_PEERCRED uid.
        File.SetUnixFileMode(path, Mode0660 | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        var refused = await McpctlAsUser.RunAsNobodyAsync("--socket", path, "add-user", "eve", "evepw");
        refused.Should().Be(new RunResult(77, "", $"mcpctl: unix:{path} refused this connection: uid 65534 is not allowed (socks5d --mcp-allow-uid)\n"));
        (await socks5d.WaitForLineAsync(l => l.Contains("refused: uid 65534", StringComparison.Ordinal)))
            .Should().MatchRegex($@"warn: .*MCP connection \d+ from unix:{path} \(pid \d+\) refused: uid 65534 is not allowed");
        (await Mcpctl.RunAsync(["--socket", path, "list-users"])).Stdout.Should().Be("admin\n", "eve was never added");

        socks5d.Signal(Socks5dProcess.SIGTERM);
        (await socks5d.WaitForExitAsync()).Should().Be(0);
        File.Exists(path).Should().BeFalse("a graceful stop removes the socket file");
    }

    [Test]
    public async Task UnixSocket_LeftBySigkill_IsReplacedAtTheNextStart()
    {
        var path = Path.Combine(_directory, "mcp.sock");
        await using (var killed = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-L", "unix:" + path, "-u", "admin:adminpw"]))
        {
            await killed.WaitForListeningAsync();
            killed.Signal(Socks5dProcess.SIGKILL);
            await killed.WaitForExitAsync();
        }

        (await StatAsync(path)).Should().StartWith("socket", "SIGKILL leaves the file behind");
        await using var socks5d = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-L", "unix:" + path, "-u", "admin:adminpw"]);
        await socks5d.WaitForListeningAsync();

        socks5d.StandardError.Should().Contain(l => l.Contains($"MCP socket unix:{path} was left by a server that did not stop gracefully", StringComparison.Ordinal));
        (await Mcpctl.RunAsync(["--socket", path, "list-users"])).Should().Be(new RunResult(0, "admin\n", ""));

        // A second server on the same live socket is refused and leaves it alone.
        var (exitCode, _, stderr) = await Socks5dProcess.RunAsync("-l", "127.0.0.1", "-p", "0", "-L", "unix:" + path);
        exitCode.Should().Be(69);
        stderr.Should().Equal($"socks5d: cannot listen on unix:{path} (MCP management, -L): address already in use (a server is listening on it)");
        (await Mcpctl.RunAsync(["--socket", path, "list-users"])).ExitCode.Should().Be(0);
    }

    [Test]
    public async Task UnixSocket_BadSetups_ExitWithOneLine()
    {
        var missing = Path.Combine(_directory, "missing", "mcp.sock");
        var (exitCode, _, stderr) = await Socks5dProcess.RunAsync("-l", "127.0.0.1", "-p", "0", "-L", "unix:" + missing);
        exitCode.Should().Be(69);
        stderr.Should().Equal(
            $"socks5d: cannot listen on unix:{missing} (MCP management, -L): no such directory {Path.GetDirectoryName(missing)} (create it first, e.g. RuntimeDirectory= under systemd)");

        (exitCode, _, stderr) = await Socks5dProcess.RunAsync("-L", "unix:" + Path.Combine(_directory, "mcp.sock"), "-P", "8080");
        exitCode.Should().Be(64);
        stderr[0].Should().Be("socks5d: option '-P' does not apply to -L unix:PATH (a Unix socket has no port)");

        (exitCode, _, stderr) = await Socks5dProcess.RunAsync("--mcp-allow-uid", "no-such-user-here");
        exitCode.Should().Be(64);
        stderr[0].Should().Be("socks5d: invalid value 'no-such-user-here' in --mcp-allow-uid: no such user");
    }

    /// <summary>The file type and mode as stat(1) prints them, e.g. "socket srw-rw----".</summary>
    private static async Task<string> StatAsync(string path)
    {
        var start = new ProcessStartInfo("stat") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("%F %A");
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TestTimeouts.Generous);
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Generous);
        return output.TrimEnd('\n');
    }
}
