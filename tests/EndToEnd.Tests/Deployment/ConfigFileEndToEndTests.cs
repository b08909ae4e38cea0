namespace EndToEnd.Tests.Deployment;

/// <summary>The real socks5d configured by a --config file and a --users-from file, used by the real curl.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class ConfigFileEndToEndTests
{
    [Test]
    public async Task ConfigFileWithUsersFrom_ServesCurl_AndNoPasswordIsOnTheCommandLine()
    {
        var directory = Directory.CreateTempSubdirectory("socks5d-config-").FullName;
        try
        {
            var users = Path.Combine(directory, "users.txt");
            await File.WriteAllTextAsync(users, "# one per line\nalice:n0t-in-ps\n");
            var config = Path.Combine(directory, "socks5d.json");
            await File.WriteAllTextAsync(config, $$"""{ "listen": "127.0.0.1", "port": 0, "users-from": "{{users}}", "max-connections": 64 }""");
            await using var target = new TinyWebServer();

            await using var proxy = Socks5dProcess.Start(["--config", config]);
            var (socks, maxConnections) = await proxy.WaitForListeningAsync();

            maxConnections.Should().Be(64, "max-connections came from the file");
            var (exitCode, body) = await Curl.RunAsync($"socks5h://alice:n0t-in-ps@{socks}", $"http://127.0.0.1:{target.Port}/");
            exitCode.Should().Be(0);
            body.Should().Be(TinyWebServer.Body);
            var commandLine = (await File.ReadAllTextAsync($"/proc/{proxy.Pid}/cmdline")).Replace('\0', ' ');
            commandLine.Should().Contain("--config").And.NotContain("n0t-in-ps", "ps shows the command line");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task ConfigFileWithAnUnknownKey_StopsBeforeListening_WithExitStatus78()
    {
        var config = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(config, """{ "port": 0, "max-conections": 5 }""");

            var (exitCode, stdout, stderr) = await Socks5dProcess.RunAsync("--config", config);

            exitCode.Should().Be(78);
            stdout.Should().BeEmpty();
            stderr.Should().Equal($"socks5d: unknown key 'max-conections' in {config}: no option --max-conections");
        }
        finally
        {
            File.Delete(config);
        }
    }
}
