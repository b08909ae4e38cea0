using System.Runtime.Versioning;
using System.Text;
using EndToEnd.Tests.Support;
using Socks.Core.Users;

namespace EndToEnd.Tests.Admin;

/// <summary>SIGHUP re-reads the users file of the real socks5d: the file is the truth, and a bad file changes nothing.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
[SupportedOSPlatform("linux")]
public sealed class UsersReloadEndToEndTests
{
    private const int SIGHUP = 1;

    private string _directory = "";
    private string _usersFile = "";

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Directory.CreateTempSubdirectory("socks5d-reload-").FullName;
        _usersFile = Path.Combine(_directory, "users");
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Sighup_AfterTheFileWasEditedByHand_AddsAndRemovesUsers_AndEndsTheRemovedUsersSessions()
    {
        await using var echo = new EchoServer();
        await using var web = new TinyWebServer();
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--users-file", _usersFile, "-u", "temp:temp-pw");
        (await proxy.McpctlAsync("add-user", "alice", "alice-pw")).ExitCode.Should().Be(0);
        (await proxy.McpctlAsync("add-user", "bob", "bob-pw")).ExitCode.Should().Be(0);
        using var bobSession = await SocksTestClient.TryOpenAsync(proxy.Socks, echo.EndPoint, "bob", "bob-pw");
        bobSession.Should().NotBeNull();

        // The operator deletes bob's line and pastes in carol's, made by another store.
        var lines = (await File.ReadAllLinesAsync(_usersFile)).Where(line => !line.StartsWith(Convert.ToBase64String("bob"u8) + ":", StringComparison.Ordinal));
        await File.WriteAllLinesAsync(_usersFile, [.. lines, RecordLine("carol", "carol-pw")]);
        proxy.Process.Signal(SIGHUP);

        await proxy.Process.WaitForLineAsync(line => line.Contains(
            $"users file {_usersFile} reloaded: 3 users (1 added, 1 removed, 0 changed)", StringComparison.Ordinal));
        (await bobSession!.IsClosedByPeerAsync()).Should().BeTrue("a user removed from the file loses its sessions");
        (await proxy.McpctlAsync("list-users")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Should().BeEquivalentTo(["temp", "alice", "carol"], "-u users are kept, the file's users replace the old ones");
        (await Curl.RunAsync($"socks5h://carol:carol-pw@{proxy.Socks}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body));
        (await SocksTestClient.TryOpenAsync(proxy.Socks, echo.EndPoint, "bob", "bob-pw")).Should().BeNull("bob is gone");

        // The next change over MCP keeps the file's users: it is saved from what was reloaded.
        (await proxy.McpctlAsync("add-user", "dave", "dave-pw")).ExitCode.Should().Be(0);
        var saved = await File.ReadAllTextAsync(_usersFile);
        saved.Should().Contain(Convert.ToBase64String("carol"u8)).And.NotContain(Convert.ToBase64String("bob"u8));
    }

    [Test]
    public async Task Sighup_WithABrokenFile_KeepsEveryUser_AndLogsOneLineNamingTheLine()
    {
        await using var web = new TinyWebServer();
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--users-file", _usersFile);
        (await proxy.McpctlAsync("add-user", "alice", "alice-pw")).ExitCode.Should().Be(0);
        await File.AppendAllTextAsync(_usersFile, "this is not a record\n");

        proxy.Process.Signal(SIGHUP);

        var line = await proxy.Process.WaitForLineAsync(l => l.Contains("SIGHUP received", StringComparison.Ordinal));
        line.Should().Contain($"users file not reloaded, the 1 users loaded before are kept: users file {_usersFile}: line 5: incomplete record");
        (await Curl.RunAsync($"socks5h://alice:alice-pw@{proxy.Socks}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body));
        proxy.Process.HasExited.Should().BeFalse();
    }

    /// <summary>The users-file line socks5d would write for one user.</summary>
    private string RecordLine(string name, string password)
    {
        var other = Path.Combine(_directory, "other-users");
        var store = UserStore.Open(other, 1);
        store.Add(Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(password)).Should().Be(UserChangeResult.Ok);
        return File.ReadAllLines(other).Single(line => line.StartsWith(Convert.ToBase64String(Encoding.UTF8.GetBytes(name)) + ":", StringComparison.Ordinal));
    }
}
