using System.Globalization;
using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Relay;

/// <summary>
/// A user's bandwidth limit through the real socks5d with curl, set with the real mcpctl: a download at 1 MiB/s measured
/// over 5 s is within 10 % of the rate, with the user-space relay and with the kernel relay (which copies a
/// rate-limited direction in user space), and two sessions of the user share the rate.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class RateLimitEndToEndTests
{
    private const long Rate = 1024 * 1024;

    [TestCase("user")]
    [TestCase("splice")]
    public async Task Download_RateLimitedUser_WithinTenPercentOfTheRate(string relay)
    {
        await using var web = new TinyWebServer(5 * Rate);
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "slow:pw", "-u", "fast:pw", "--relay", relay, "--no-udp");
        var set = await proxy.McpctlAsync("set-limits", "slow", "--rate-down", "1MiB/s");
        set.ExitCode.Should().Be(0, set.Stderr);

        var (bytes, seconds) = await DownloadAsync(proxy, "slow", web.Port);

        bytes.Should().Be(5 * Rate);
        var measured = bytes / seconds;
        TestContext.Out.WriteLine($"--relay {relay}: {bytes} bytes in {seconds:F3} s = {measured / Rate:F3} MiB/s");
        measured.Should().BeInRange(0.9 * Rate, 1.1 * Rate);

        // The other user and the other direction are not limited: the same download takes a fraction of the time.
        var (_, unlimited) = await DownloadAsync(proxy, "fast", web.Port);
        unlimited.Should().BeLessThan(seconds / 3);
    }

    [Test]
    public async Task Download_TwoSessionsOfOneUser_ShareTheRate()
    {
        await using var web = new TinyWebServer(5 * Rate / 2);
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "slow:pw", "--no-udp");
        (await proxy.McpctlAsync("set-limits", "slow", "--rate", "1MiB/s")).ExitCode.Should().Be(0);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var both = await Task.WhenAll(DownloadAsync(proxy, "slow", web.Port), DownloadAsync(proxy, "slow", web.Port));
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;

        both.Sum(d => d.Bytes).Should().Be(5 * Rate);
        var measured = 5 * Rate / seconds;
        TestContext.Out.WriteLine($"two sessions: {5 * Rate} bytes in {seconds:F3} s = {measured / Rate:F3} MiB/s together");
        measured.Should().BeInRange(0.9 * Rate, 1.1 * Rate);
    }

    private static async Task<(long Bytes, double Seconds)> DownloadAsync(RunningProxy proxy, string user, int port)
    {
        var (exitCode, output) = await Curl.RunAsync(
            $"socks5h://{user}:pw@127.0.0.1:{proxy.Socks.Port}",
            $"http://127.0.0.1:{port}/",
            ["-o", "/dev/null", "-w", "%{size_download} %{time_total}"]);
        exitCode.Should().Be(0, output);
        var fields = output.Split(' ');
        return (long.Parse(fields[0], CultureInfo.InvariantCulture), double.Parse(fields[1], CultureInfo.InvariantCulture));
    }
}
