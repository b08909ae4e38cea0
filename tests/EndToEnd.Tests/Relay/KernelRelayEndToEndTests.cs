using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Relay;

/// <summary>
/// <c>--relay</c> against a real socks5d and curl: both relays carry a download byte for byte, and the kernel relay
/// is really the one in use (its pipes are open in the process, a fixed set that the load does not grow).
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class KernelRelayEndToEndTests
{
    private const long DownloadBytes = 32L << 20;

    [TestCase("splice")]
    [TestCase("user")]
    public async Task Download_ThroughEitherRelay_ArrivesWhole(string relay)
    {
        await using var web = new TinyWebServer(DownloadBytes);
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "alice:pw", "--relay", relay);

        var (exitCode, output) = await Curl.RunAsync(
            $"socks5h://alice:pw@127.0.0.1:{proxy.Socks.Port}",
            $"http://127.0.0.1:{web.Port}/",
            ["-o", "/dev/null", "-w", "%{size_download}"]);

        (exitCode, output).Should().Be((0, DownloadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task Splice_PipesOpenFromTheStart_AndTheLoadDoesNotAddAny()
    {
        await using var web = new TinyWebServer(DownloadBytes);
        await using var splice = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--allow-anonymous", "--relay", "splice");
        await using var user = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--allow-anonymous", "--relay", "user");

        var pipesAtStart = Pipes(splice.Process.Pid);
        (pipesAtStart - Pipes(user.Process.Pid)).Should().Be(2 * 4 * Environment.ProcessorCount, "the kernel relay keeps 4 pipes per core, 2 descriptors each");
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            (await Curl.RunAsync($"socks5h://127.0.0.1:{splice.Socks.Port}", $"http://127.0.0.1:{web.Port}/", ["-o", "/dev/null"])).ExitCode.Should().Be(0)));

        Pipes(splice.Process.Pid).Should().Be(pipesAtStart, "a pipe taken beyond the kept ones is closed when its step is over");
    }

    private static int Pipes(int pid) =>
        Directory.GetFileSystemEntries($"/proc/{pid}/fd").Count(fd => new FileInfo(fd).LinkTarget?.StartsWith("pipe:", StringComparison.Ordinal) == true);
}
