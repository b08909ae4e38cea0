using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Admin;

/// <summary>
/// <c>mcpctl watch</c> in a real terminal (a detached tmux session of a given size) against the real socks5d: the
/// counters after real traffic, the graph, a redraw to a new width, q and Ctrl-C ending it with status 0 and the
/// terminal restored, a lost connection shown, and a clear error when the server cannot be reached.
/// </summary>
[CancelAfter(TestTimeouts.LongTestMilliseconds)]
public sealed partial class McpctlWatchTests
{
    [Test]
    public async Task Watch_ShowsCountersAfterTraffic_RedrawsToANewWidth_AndQuitsWithQ()
    {
        await using var web = new TinyWebServer();
        await using var big = new TinyWebServer(100_000);
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "admin:adminpw", "-u", "bob:b0bpw");
        await using var terminal = await StartWatchAsync(proxy.Management.Port, 100, 40);

        var first = await terminal.WaitForScreenAsync(screen => Row(screen, "Historical connections") is not null, "the dashboard");
        first[0].Should().StartWith($"mcpctl watch 127.0.0.1:{proxy.Management.Port}");
        Row(first, "Historical connections").Should().Be("0");
        first.Should().Contain(line => line.Contains("users by traffic", StringComparison.Ordinal), "socks5d has USER_STATS");
        (await terminal.FormatAsync("#{alternate_on}")).Should().Be("1", "the dashboard draws in the alternate screen");
        (await terminal.FormatAsync("#{cursor_flag}")).Should().Be("0", "no cursor blinks over the dashboard");
        await terminal.RecordOutputAsync();

        var url = $"http://127.0.0.1:{web.Port}/";
        for (var i = 0; i < 2; i++)
        {
            (await Curl.RunAsync($"socks5h://admin:adminpw@127.0.0.1:{proxy.Socks.Port}", url)).Should().Be((0, TinyWebServer.Body));
        }

        (await Curl.RunAsync($"socks5h://bob:b0bpw@127.0.0.1:{proxy.Socks.Port}", $"http://127.0.0.1:{big.Port}/")).ExitCode.Should().Be(0);

        // The counters the server reports now that the traffic is over, as `mcpctl metrics --json` reads them.
        var metrics = await WaitForIdleMetricsAsync(proxy);
        var drawn = await terminal.WaitForScreenAsync(
            screen => Row(screen, "Historical connections") == "3"
                && Row(screen, "Successful connections") == "3"
                && Row(screen, "Bytes transferred")?.StartsWith(metrics.BytesTransferred + " ", StringComparison.Ordinal) == true,
            "the counters after three sessions");
        Row(drawn, "Failed connections").Should().Be("0");
        var users = drawn.Where(line => line.StartsWith("│ admin ", StringComparison.Ordinal) || line.StartsWith("│ bob ", StringComparison.Ordinal)).ToList();
        users.Select(line => line.Split('│', StringSplitOptions.TrimEntries)[1]).Should().Equal(["bob", "admin"], "bob moved the most bytes");
        users.Select(line => line.Split('│', StringSplitOptions.TrimEntries)[3]).Should().Equal(["1", "2"], "sessions since start");
        Row(drawn, "Concurrent connections").Should().Be("0");
        Row(drawn, "Client bytes").Should().StartWith(metrics.ClientBytes.ToString(CultureInfo.InvariantCulture));
        Line(drawn, "bytes/s").Should().Contain("█", "the sample with the traffic is the peak of the graph");
        Line(drawn, "connections/s").Should().Contain("█");
        TableWidth(drawn).Should().Be(100, "the table spans the terminal");

        await terminal.ResizeAsync(72, 30);
        var narrow = await terminal.WaitForScreenAsync(screen => TableWidth(screen) == 72, "the dashboard redrawn 72 columns wide");
        Row(narrow, "Historical connections").Should().Be("3");
        narrow.Should().OnlyContain(line => line.Length <= 72);

        await terminal.SendKeysAsync("q");
        (await terminal.WaitForExitAsync()).Should().Be(0);
        (await terminal.FormatAsync("#{alternate_on}")).Should().Be("0", "the main screen is back");

        // tmux shows no cursor in a dead pane, so read the end of what mcpctl wrote: after the last frame it left the
        // alternate screen (DECRST 1049) and showed the cursor again (DECTCEM), as Spectre.Console writes them.
        var output = await File.ReadAllTextAsync(terminal.OutputFile);
        var left = output.LastIndexOf("\u001b[?1049l", StringComparison.Ordinal);
        left.Should().BeGreaterThan(output.LastIndexOf("Historical connections", StringComparison.Ordinal), "the alternate screen is left after the last frame");
        output[left..].Should().Contain("\u001b[?25h", "the cursor is shown again");
    }

    [Test]
    public async Task Watch_ConnectionLost_IsShownAndCtrlCQuitsWithZero()
    {
        var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "admin:adminpw");
        await using var terminal = await StartWatchAsync(proxy.Management.Port, 100, 40);
        await terminal.WaitForScreenAsync(screen => Row(screen, "Historical connections") == "0", "the dashboard");

        await proxy.DisposeAsync();

        var lost = await terminal.WaitForScreenAsync(
            screen => screen.Any(line => line.StartsWith($"connection to 127.0.0.1:{proxy.Management.Port} lost: ", StringComparison.Ordinal)),
            "the lost connection");
        lost.Should().Contain(line => line.EndsWith("; retrying every second", StringComparison.Ordinal));
        Row(lost, "Historical connections").Should().Be("0", "the last counters stay on screen");

        await terminal.SendKeysAsync("C-c");
        (await terminal.WaitForExitAsync()).Should().Be(0, "Ctrl-C ends the dashboard cleanly");
        (await terminal.FormatAsync("#{alternate_on}")).Should().Be("0");
    }

    [Test]
    public async Task Watch_Sigterm_EndsItCleanlyWithZero()
    {
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "admin:adminpw");
        await using var terminal = await StartWatchAsync(proxy.Management.Port, 100, 40);
        await terminal.WaitForScreenAsync(screen => Row(screen, "Historical connections") == "0", "the dashboard");

        // The pane runs sh -c "mcpctl ...; echo $? > file": mcpctl is the shell's one child.
        var shell = await terminal.FormatAsync("#{pane_pid}");
        var child = (await File.ReadAllTextAsync($"/proc/{shell}/task/{shell}/children")).Trim();
        (await ScriptRunner.RunAsync("kill", ["-TERM", child])).ExitCode.Should().Be(0);

        (await terminal.WaitForExitAsync()).Should().Be(0, "SIGTERM ends the dashboard like q");
        (await terminal.FormatAsync("#{alternate_on}")).Should().Be("0");
    }

    [Test]
    public async Task Watch_ServerWrittenFromTheMemo_SaysPerUserStatisticsAreNotSupported()
    {
        // A server that knows only the memo's commands: GET_METRICS answered, anything else CMD_NOT_SUPPORTED.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = ServeMemoOnlyAsync(listener, stop.Token);
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        await using (var terminal = await StartWatchAsync(port, 100, 30))
        {
            var screen = await terminal.WaitForScreenAsync(s => Row(s, "Historical connections") == "7", "the memo server's counters");
            screen.Should().Contain("per-user statistics: not supported by this server");

            await terminal.SendKeysAsync("q");
            (await terminal.WaitForExitAsync()).Should().Be(0);
        }

        await stop.CancelAsync();
        listener.Stop();
        await serving;
    }

    [Test]
    public async Task Watch_ServerUnreachable_OneLineInTheTerminalAndExit69()
    {
        var port = UnusedPort();
        await using var terminal = await StartWatchAsync(port, 100, 20);

        (await terminal.WaitForExitAsync()).Should().Be(69);
        var screen = await terminal.CaptureAsync(history: true);
        screen.Where(line => line.Length > 0).First().Should().Be($"mcpctl: cannot connect to 127.0.0.1:{port}: connection refused");
        (await terminal.FormatAsync("#{alternate_on}")).Should().Be("0", "the screen was never switched");
    }

    [Test]
    public async Task Watch_WithoutATerminalOrWithJson_Exits64()
    {
        (await Mcpctl.RunAsync(["watch", "-P", "1"])).Should().Be(
            new RunResult(64, "", "mcpctl: watch needs a terminal for its input and output; in scripts use 'mcpctl metrics --json'\n"));

        var json = await Mcpctl.RunAsync(["watch", "--json", "-P", "1"]);
        json.ExitCode.Should().Be(64);
        json.StderrLines[0].Should().Be("mcpctl: watch draws for people and has no --json; for scripts use 'mcpctl metrics --json'");
    }

    private static Task<TmuxSession> StartWatchAsync(int port, int width, int height)
    {
        var command = $"{Quote(Mcpctl.DotnetHost())} {Quote(Mcpctl.Dll)} watch -P {port.ToString(CultureInfo.InvariantCulture)}";
        return TmuxSession.StartAsync(command, width, height, new Dictionary<string, string>
        {
            ["LANG"] = "C.UTF-8",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        });
    }

    private static async Task<(ulong BytesTransferred, ulong ClientBytes)> WaitForIdleMetricsAsync(RunningProxy proxy)
    {
        // A session's bytes are counted as it ends, which may be just after curl has exited: poll, within a bound.
        var deadline = DateTime.UtcNow + TestTimeouts.Generous;
        while (true)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the three sessions end");
            var result = await proxy.McpctlAsync("metrics", "--json");
            using var json = JsonDocument.Parse(result.Stdout);
            var root = json.RootElement;
            if (root.GetProperty("concurrentConnections").GetUInt64() == 0 && root.GetProperty("successfulConnections").GetUInt64() == 3)
            {
                return (root.GetProperty("bytesTransferred").GetUInt64(), root.GetProperty("clientBytes").GetUInt64());
            }
        }
    }

    /// <summary>The Total cell of a counter's row ("│ Historical connections │ 3 │ 0.0/s │"), or null when not drawn.</summary>
    private static string? Row(string[] screen, string counter)
    {
        var line = screen.FirstOrDefault(l => l.StartsWith("│ " + counter + " ", StringComparison.Ordinal));
        return line?.Split('│', StringSplitOptions.TrimEntries)[2];
    }

    private static string Line(string[] screen, string label) =>
        screen.Single(l => l.StartsWith(label + " ", StringComparison.Ordinal));

    /// <summary>The width of the counters table: the length of its top border.</summary>
    private static int TableWidth(string[] screen) =>
        screen.FirstOrDefault(l => TopBorder().IsMatch(l))?.Length ?? 0;

    [GeneratedRegex("^╭─+(┬─+)*╮$")]
    private static partial Regex TopBorder();

    private static async Task ServeMemoOnlyAsync(System.Net.Sockets.TcpListener listener, CancellationToken token)
    {
        var clients = new List<Task>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(token);
                clients.Add(Task.Run(async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        var header = new byte[4];
                        try
                        {
                            while (true)
                            {
                                await stream.ReadExactlyAsync(header, token);
                                await stream.ReadExactlyAsync(new byte[(header[2] << 8) | header[3]], token);
                                byte[] answer = header[1] == 0x00
                                    ? [0x01, 0x00, 0x00, 0x30, .. Counter(7), .. Counter(0), .. Counter(1234), .. Counter(7), .. Counter(0), .. Counter(600)]
                                    : [0x01, 0x02, 0x00, 0x00];
                                await stream.WriteAsync(answer, token);
                            }
                        }
                        catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException)
                        {
                            // The client went away, or the test is over.
                        }
                    }
                }, CancellationToken.None));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            await Task.WhenAll(clients);
        }
    }

    private static byte[] Counter(ulong value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    private static int UnusedPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
