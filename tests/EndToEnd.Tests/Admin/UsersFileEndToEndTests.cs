using System.Runtime.Versioning;
using System.Text;
using EndToEnd.Tests.Support;
using Socks.Core.Users;

namespace EndToEnd.Tests.Admin;

/// <summary>--users-file with the real socks5d: persistence across restarts and kills, and refusing to start on a bad file.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
[SupportedOSPlatform("linux")]
public sealed class UsersFileEndToEndTests
{
    private string _directory = "";
    private string _usersFile = "";

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Directory.CreateTempSubdirectory("socks5d-admin-").FullName;
        _usersFile = Path.Combine(_directory, "users");
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task UsersFile_ChangesOverMcp_AreSavedHashedOwnerOnlyAndBackAfterRestart()
    {
        await using var web = new TinyWebServer();
        await using (var first = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--users-file", _usersFile, "-u", "temp:temp-pw"))
        {
            (await first.McpctlAsync("add-user", "alice", "s3cret-alice")).ExitCode.Should().Be(0);
            (await first.McpctlAsync("add-user", "bob", "s3cret-bob")).ExitCode.Should().Be(0);
            (await first.McpctlAsync("remove-user", "bob")).ExitCode.Should().Be(0);

            File.GetUnixFileMode(_usersFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var text = await File.ReadAllTextAsync(_usersFile);
            text.Should().StartWith("socks5d-users v1\n");
            text.Should().Contain(Convert.ToBase64String("alice"u8) + ":pbkdf2-sha256:600000:");
            text.Should().NotContain(Convert.ToBase64String("bob"u8), "removed users leave the file");
            text.Should().NotContain(Convert.ToBase64String("temp"u8), "-u users are never saved");
            text.Should().NotContain("s3cret").And.NotContain(Convert.ToBase64String("s3cret-alice"u8));

            first.Process.Signal(Socks5dProcess.SIGTERM);
            (await first.Process.WaitForExitAsync()).Should().Be(0);
        }

        await using var second = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--users-file", _usersFile);
        await second.Process.WaitForLineAsync(line => line.Contains($"Users: 1 from users file {_usersFile}, 0 from -u", StringComparison.Ordinal));
        (await second.McpctlAsync("list-users")).Stdout.Should().Be("alice\n");
        (await Curl.RunAsync($"socks5h://alice:s3cret-alice@127.0.0.1:{second.Socks.Port}", $"http://127.0.0.1:{web.Port}/"))
            .Should().Be((0, TinyWebServer.Body));
    }

    [Test]
    public async Task UsersFile_SigkillRightAfterAddUserOk_UserAuthenticatesAfterRestart()
    {
        await using var echo = new EchoServer();
        await using (var first = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--users-file", _usersFile))
        {
            await using (var client = await first.ConnectMcpAsync())
            {
                await client.AddUserAsync("dave", "d4ve-pw").WaitAsync(TestTimeouts.Generous);
            }

            // No grace: the OK reply must mean the user is on disk.
            first.Process.Signal(Socks5dProcess.SIGKILL);
            (await first.Process.WaitForExitAsync()).Should().Be(128 + Socks5dProcess.SIGKILL);
        }

        await using var second = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--users-file", _usersFile);
        using var tunnel = await SocksTestClient.TryOpenAsync(second.Socks, echo.EndPoint, "dave", "d4ve-pw");
        tunnel.Should().NotBeNull("dave was saved before ADD_USER answered OK");
        await tunnel!.SendAsync("ping"u8.ToArray());
        (await tunnel.ReceiveAsync(4)).Should().Equal("ping"u8.ToArray());
    }

    [TestCase("socks5d-users v1\nYWxpY2U=:pbkdf2-sha256:1000:c2FsdHNhbHRzYWx0c2FsdA==\n", "line 2: incomplete record: 4 of 5 ':'-separated fields")]
    [TestCase("socks5d-users v3\n", "line 1: unsupported format version")]
    [TestCase("# users\nalice:secret\n", "line 2: expected the header line 'socks5d-users v1'")]
    public async Task UsersFile_Corrupt_Exits78WithOneLineNamingFileAndLine(string content, string problem)
    {
        await File.WriteAllTextAsync(_usersFile, content);

        var (exitCode, stdout, stderr) = await Socks5dProcess.RunAsync("-l", "127.0.0.1", "-p", "0", "--users-file", _usersFile, "-u", "temp:temp-pw");

        exitCode.Should().Be(78);
        stdout.Should().BeEmpty();
        stderr.Should().ContainSingle().Which.Should().StartWith($"socks5d: users file {_usersFile}: {problem}");
    }

    [Test]
    public async Task UsersFile_HalfGoodFile_NeverStartsWithTheGoodHalf()
    {
        var store = UserStore.Open(_usersFile, 10);
        store.Add("alice"u8, "pw"u8).Should().Be(UserChangeResult.Ok);
        await File.AppendAllTextAsync(_usersFile, "Ym9i:pbkdf2-sha256:1000:!!!:AAAA\n");

        var (exitCode, _, stderr) = await Socks5dProcess.RunAsync("-l", "127.0.0.1", "-p", "0", "--users-file", _usersFile);

        exitCode.Should().Be(78);
        stderr.Should().ContainSingle().Which.Should().Be($"socks5d: users file {_usersFile}: line 5: salt is not valid base64");
    }

    [Test]
    public async Task UsersFile_DirectoryMissing_Exits78()
    {
        var path = Path.Combine(_directory, "missing", "users");

        var (exitCode, _, stderr) = await Socks5dProcess.RunAsync("-p", "0", "--users-file", path);

        exitCode.Should().Be(78);
        stderr.Should().Equal($"socks5d: users file {path}: directory {Path.GetDirectoryName(path)} does not exist");
    }

    [Test]
    public async Task UsersFile_NameAlsoGivenWithU_Exits78NamingBoth()
    {
        UserStore.Open(_usersFile, 10).Add("alice"u8, "pw"u8).Should().Be(UserChangeResult.Ok);

        var (exitCode, _, stderr) = await Socks5dProcess.RunAsync("-p", "0", "--users-file", _usersFile, "-u", "alice:other-pw");

        exitCode.Should().Be(78);
        stderr.Should().ContainSingle().Which.Should().StartWith($"socks5d: user 'alice' is given with -u and is also in users file {_usersFile}: give it in one place only");
        stderr[0].Should().NotContain("other-pw");
    }

    [Test]
    public async Task UsersFile_FileAndCommandLineAboveMaxUsers_Exits78()
    {
        var store = UserStore.Open(_usersFile, 10);
        store.Add("alice"u8, "pw"u8).Should().Be(UserChangeResult.Ok);
        store.Add("bob"u8, "pw"u8).Should().Be(UserChangeResult.Ok);

        var tooManyTogether = await Socks5dProcess.RunAsync("-p", "0", "--users-file", _usersFile, "--max-users", "2", "-u", "carol:pw");
        var tooManyInFile = await Socks5dProcess.RunAsync("-p", "0", "--users-file", _usersFile, "--max-users", "1");

        tooManyTogether.ExitCode.Should().Be(78);
        tooManyTogether.Stderr.Should().Equal($"socks5d: too many users: 2 in users file {_usersFile} and 1 given with -u, but --max-users is 2");
        tooManyInFile.ExitCode.Should().Be(78);
        tooManyInFile.Stderr.Should().Equal($"socks5d: users file {_usersFile}: line 5: more users than the limit of 1");
    }

    [Test]
    public async Task UsersFile_ReadableByOthers_IsMadeOwnerOnlyAtStart()
    {
        UserStore.Open(_usersFile, 10).Add("alice"u8, "pw"u8).Should().Be(UserChangeResult.Ok);
        File.SetUnixFileMode(_usersFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--users-file", _usersFile);

        await proxy.Process.WaitForLineAsync(line => line.Contains("changed it to 0600", StringComparison.Ordinal));
        File.GetUnixFileMode(_usersFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var client = await proxy.ConnectMcpAsync();
        var users = await client.ListUsersAsync().WaitAsync(TestTimeouts.Generous);
        users.Select(u => Encoding.UTF8.GetString(u)).Should().Equal("alice");
    }
}
