namespace EndToEnd.Tests.Logs;

/// <summary>
/// The real socks5d process with curl as the POP3 client (<c>curl -x socks5h://u:p@... pop3://alice:...@...</c>)
/// against <see cref="Pop3TestServer"/>; the credentials log is read after socks5d exited, so everything
/// queued was written.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class CredentialsLogProcessTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "socks5d-credlog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Curl_RightPassword_CredentialsLogHoldsOneAcceptedRecord()
    {
        await using var pop3 = new Pop3TestServer();
        var credentials = Path.Combine(_dir, "credentials.log");
        var access = Path.Combine(_dir, "access.log");
        await using var socks5d = Socks5dProcess.Start(
            ["-u", "u:p", "-p", "0", "--pop3-ports", pop3.Port.ToString(), "--credentials-log", credentials, "--access-log", access]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();

        var (exitCode, output) = await CurlPop3Async(proxy.Port, pop3.Port, "secret");
        await StopAsync(socks5d);

        exitCode.Should().Be(0);
        output.Should().Be("1 120\r\n", "curl listed the mailbox after logging in");
        var record = LogFile.Records(credentials).Should().ContainSingle().Subject;
        record.Should().HaveCount(10);
        record[0].Should().MatchRegex(LogFile.TimestampPattern);
        record[1..].Should().Equal(
            "u", record[2], "127.0.0.1", $"127.0.0.1:{pop3.Port}", "POP3", "USER/PASS", "alice", "secret", "accepted");
        record[2].Should().MatchRegex(@"^127\.0\.0\.1:\d+$");
        LogFile.Records(access).Should().ContainSingle().Which[3].Should().Be(record[2], "the access record names the same client");
    }

    [Test]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Curl_WrongPassword_RecordedRejectedInTheStateDirectoryByDefault_Mode0600_NeverOnStandardOutput()
    {
        await using var pop3 = new Pop3TestServer();
        await using var socks5d = Socks5dProcess.Start(["-u", "u:p", "-p", "0", "--pop3-ports", pop3.Port.ToString()]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        var credentials = Path.Combine(socks5d.StateDirectory, "credentials.log");

        var (exitCode, _) = await CurlPop3Async(proxy.Port, pop3.Port, "hunter2");
        await StopAsync(socks5d);

        exitCode.Should().Be(67, "curl: login denied");
        socks5d.StandardError.Should().Contain(line => line.Contains($"credentials log: {credentials};", StringComparison.Ordinal), "the startup line names the file");
        socks5d.StandardOutput.Should().NotContain(line => line.Contains("hunter2", StringComparison.Ordinal), "standard output has the access log only");
        File.GetUnixFileMode(credentials).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var record = LogFile.Records(credentials).Should().ContainSingle().Subject;
        record[1..].Should().Equal(
            "u", record[2], "127.0.0.1", $"127.0.0.1:{pop3.Port}", "POP3", "USER/PASS", "alice", "hunter2", "rejected");
    }

    [Test]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Startup_CredentialsLogReadableByOthers_WarnsOnce()
    {
        var credentials = Path.Combine(_dir, "credentials.log");
        File.WriteAllText(credentials, "");
        File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var socks5d = Socks5dProcess.Start(["-u", "u:p", "-p", "0", "--credentials-log", credentials]);
        await socks5d.WaitForListeningAsync();

        var warning = await socks5d.WaitForLineAsync(line => line.Contains("credentials log", StringComparison.Ordinal) && line.Contains("readable by", StringComparison.Ordinal));

        warning.Should().Contain($"The credentials log {credentials} is readable by every user (mode 0644)");
        await StopAsync(socks5d);
        socks5d.StandardError.Count(line => line.Contains("readable by", StringComparison.Ordinal)).Should().Be(1);
    }

    [Test]
    public async Task Curl_DissectorOffWithN_RecordsNothingButTheSessionIsLogged()
    {
        await using var pop3 = new Pop3TestServer();
        var credentials = Path.Combine(_dir, "credentials.log");
        var access = Path.Combine(_dir, "access.log");
        await using var socks5d = Socks5dProcess.Start(
            ["-N", "-u", "u:p", "-p", "0", "--pop3-ports", pop3.Port.ToString(), "--credentials-log", credentials, "--access-log", access]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();

        var (exitCode, _) = await CurlPop3Async(proxy.Port, pop3.Port, "secret");
        await StopAsync(socks5d);

        exitCode.Should().Be(0);
        File.ReadAllText(credentials).Should().BeEmpty();
        LogFile.Records(access).Should().ContainSingle().Which[6].Should().Be("00");
        socks5d.StandardError.Should().Contain(line => line.Contains("dissectors off (-N): http 80,8080; ftp 21; imap 143; pop3 " + pop3.Port + "; smtp 25,587", StringComparison.Ordinal));
    }

    [Test]
    public async Task Curl_DissectorToggledOnWithMcpctl_RecordsOnlySessionsAfterTheToggle()
    {
        await using var pop3 = new Pop3TestServer();
        var credentials = Path.Combine(_dir, "credentials.log");
        await using var socks5d = Socks5dProcess.Start(
            ["-N", "-u", "u:p", "-p", "0", "--pop3-ports", pop3.Port.ToString(), "--credentials-log", credentials, "--access-log", "-"]);
        var (proxy, _) = await socks5d.WaitForListeningAsync();
        var management = await socks5d.WaitForManagementAsync();

        (await CurlPop3Async(proxy.Port, pop3.Port, "before")).ExitCode.Should().Be(67);
        var toggle = await Mcpctl.RunAsync(["-P", management.Port.ToString(), "toggle-dissector"]);
        toggle.ExitCode.Should().Be(0);
        toggle.StdoutLines.Should().Equal("dissector is now on");
        (await CurlPop3Async(proxy.Port, pop3.Port, "secret")).ExitCode.Should().Be(0);
        await StopAsync(socks5d);

        var record = LogFile.Records(credentials).Should().ContainSingle("only the session after TOGGLE_DISECTOR is dissected").Subject;
        record[7..].Should().Equal("alice", "secret", "accepted");
    }

    [Test]
    public async Task Pop3PortsBadValue_Exits64NamingIt()
    {
        var (exitCode, stdout, stderr) = await Socks5dProcess.RunAsync("-p", "0", "--pop3-ports", "110,pop3s");

        exitCode.Should().Be(64);
        stdout.Should().BeEmpty();
        stderr[0].Should().Be("socks5d: invalid port 'pop3s' in --pop3-ports: expected a comma-separated list of ports 1..65535");
    }

    /// <summary>SIGTERM, then wait for the exit: the drain ends the sessions and the logs are flushed and closed.</summary>
    internal static async Task StopAsync(Socks5dProcess socks5d)
    {
        socks5d.Signal(Socks5dProcess.SIGTERM);
        (await socks5d.WaitForExitAsync()).Should().Be(0);
    }

    private static Task<(int ExitCode, string Output)> CurlPop3Async(int proxyPort, int pop3Port, string password) =>
        Curl.RunAsync($"socks5h://u:p@127.0.0.1:{proxyPort}", $"pop3://alice:{password}@127.0.0.1:{pop3Port}/");
}
