namespace EndToEnd.Tests.Commands;

/// <summary>
/// Tor's RESOLVE and RESOLVE_PTR through the real socks5d, driven by torsocks: Python's gethostbyname and
/// gethostbyaddr under torsocks become X'F0' and X'F1' requests. socks5d sees a hosts file of the test's (a mount
/// namespace of its own), so the name exists only for the proxy: an answer proves the lookup went through it.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class ResolveEndToEndTests
{
    private const string Name = "socks5d-resolve.test";
    private const string Address = "198.51.100.23";

    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("socks5d-resolve-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Torsocks_Gethostbyname_ResolvedByTheProxyAndRecorded()
    {
        var (socks5d, log, configuration) = await StartAsync();
        await using (socks5d)
        {
            var result = await ScriptRunner.RunUnderTorsocksAsync(
                configuration, ScriptRunner.DebianPython, "-c", $"import socket; print(socket.gethostbyname('{Name}'))");

            result.ExitCode.Should().Be(0, result.Stderr);
            result.StdoutLines.Should().Equal(Address);
            await LogFile.WaitForLinesAsync(log, 1);
            var record = LogFile.Records(log).Single();
            LogFile.ShouldBeWellFormedAccessRecord(record);
            record[4].Should().StartWith($"{Name}:");
            record[5..7].Should().Equal("-", "00");
            record[10..].Should().Equal("RESOLVE", "ok");
        }
    }

    [Test]
    public async Task Torsocks_Gethostbyaddr_ResolvedByTheProxyAsResolvePtr()
    {
        var (socks5d, log, configuration) = await StartAsync();
        await using (socks5d)
        {
            var result = await ScriptRunner.RunUnderTorsocksAsync(
                configuration, ScriptRunner.DebianPython, "-c", $"import socket; print(socket.gethostbyaddr('{Address}')[0])");

            result.ExitCode.Should().Be(0, result.Stderr);
            result.StdoutLines.Should().Equal(Name);
            await LogFile.WaitForLinesAsync(log, 1);
            var record = LogFile.Records(log).Single();
            record[4].Should().StartWith($"{Address}:");
            record[5..7].Should().Equal("-", "00");
            record[10..].Should().Equal("RESOLVE_PTR", "ok");
        }
    }

    [Test]
    public async Task Torsocks_NameUnknownToTheProxy_LookupFailsWithResolveFailed()
    {
        var (socks5d, log, configuration) = await StartAsync();
        await using (socks5d)
        {
            var result = await ScriptRunner.RunUnderTorsocksAsync(
                configuration, ScriptRunner.DebianPython, "-c", "import socket; socket.gethostbyname('nosuchhost.invalid')");

            result.ExitCode.Should().NotBe(0, "the name does not resolve");
            result.Stderr.Should().Contain("gaierror");
            await LogFile.WaitForLinesAsync(log, 1);
            var record = LogFile.Records(log).Single();
            record[6].Should().Be("04");
            record[10..].Should().Equal("RESOLVE", "resolve-failed");
        }
    }

    /// <summary>Starts socks5d (anonymous, its own hosts file) and writes the torsocks.conf pointing at it.</summary>
    private async Task<(Socks5dProcess Process, string Log, string Configuration)> StartAsync()
    {
        var hosts = Path.Combine(_dir, "hosts");
        await File.WriteAllTextAsync(hosts, $"127.0.0.1 localhost\n{Address} {Name}\n");
        var log = Path.Combine(_dir, "access.log");
        var socks5d = Socks5dProcess.Start(["--allow-anonymous", "-p", "0", "-l", "127.0.0.1", "--access-log", log], hosts: hosts);
        try
        {
            var (proxy, _) = await socks5d.WaitForListeningAsync();
            var configuration = Path.Combine(_dir, "torsocks.conf");

            // torsocks refuses loopback destinations unless told; the proxy itself is on loopback.
            await File.WriteAllTextAsync(configuration, $"TorAddress 127.0.0.1\nTorPort {proxy.Port}\nAllowOutboundLocalhost 1\n");
            return (socks5d, log, configuration);
        }
        catch
        {
            await socks5d.DisposeAsync();
            throw;
        }
    }
}
