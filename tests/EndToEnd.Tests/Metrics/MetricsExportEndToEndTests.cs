using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace EndToEnd.Tests.Metrics;

/// <summary>--metrics-listen scraped by the real curl and checked by the real promtool; --otlp-endpoint received by an OTLP/HTTP endpoint.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed partial class MetricsExportEndToEndTests
{
    [Test]
    public async Task MetricsListen_ServesThePrometheusTextFormat_ThatPromtoolAccepts_WithTheSessionsCounted()
    {
        await using var web = new TinyWebServer();
        await using var proxy = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-u", "u:p", "--metrics-listen", "127.0.0.1:0"]);
        var (socks, _) = await proxy.WaitForListeningAsync();
        var metrics = PrometheusUrl().Match(await proxy.WaitForLineAsync(line => PrometheusUrl().IsMatch(line))).Value;
        (await Curl.RunAsync($"socks5h://u:p@{socks}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body));
        (await Curl.RunAsync($"socks5h://u:wrong@{socks}", $"http://127.0.0.1:{web.Port}/")).ExitCode.Should().NotBe(0);

        var scrape = await ScriptRunner.RunAsync("curl", ["-sS", "--fail", "-D", "-", metrics]);

        scrape.ExitCode.Should().Be(0, scrape.Stderr);
        var text = scrape.Stdout;
        text.Should().StartWith("HTTP/1.1 200 OK").And.Contain("Content-Type: text/plain; version=0.0.4; charset=utf-8");
        var body = text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        body.Should().Contain("# TYPE socks_sessions_succeeded_total counter\nsocks_sessions_succeeded_total 1\n");
        body.Should().Contain("socks_auth_failures_total 1\n");
        body.Should().Contain("# TYPE socks_handshake_duration_seconds histogram\n");
        body.Should().Contain("socks_handshake_duration_seconds_count 1\n", "one handshake got as far as its request");
        body.Should().Contain("socks_connect_duration_seconds_count{socks_outcome=\"ok\"} 1\n");
        body.Should().Contain("socks_connect_duration_seconds_bucket{socks_outcome=\"ok\",le=\"+Inf\"} 1\n");
        var dashboard = await File.ReadAllTextAsync(RepositoryFiles.Find("contrib/grafana/socks5d.json"));
        var queried = DashboardMetric().Matches(dashboard).Select(m => m.Value).Distinct().ToList();
        queried.Should().HaveCountGreaterThan(10);
        queried.Should().OnlyContain(name => body.Contains($"\n{name}", StringComparison.Ordinal), "every series the Grafana dashboard queries is exported");
        var check = await ScriptRunner.RunAsync("promtool", ["check", "metrics"], stdin: body);
        check.Should().Be(new RunResult(0, "", ""), "promtool finds nothing to complain about");
        (await ScriptRunner.RunAsync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", metrics.Replace("/metrics", "/other", StringComparison.Ordinal)]))
            .Stdout.Should().Be("404");
    }

    [Test]
    public async Task OtlpEndpoint_ReceivesTheMetricsAsOtlpProtobuf_AtExitAtTheLatest()
    {
        using var collector = new TcpListener(IPAddress.Loopback, 0);
        collector.Start();
        var endpoint = $"http://127.0.0.1:{((IPEndPoint)collector.LocalEndpoint).Port}/v1/metrics";
        var received = ReceiveOneExportAsync(collector);
        await using var web = new TinyWebServer();
        await using var proxy = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-u", "u:p", "--otlp-endpoint", endpoint, "--otlp-interval", "1h"]);
        var (socks, _) = await proxy.WaitForListeningAsync();
        (await Curl.RunAsync($"socks5h://u:p@{socks}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body));

        // The interval is an hour: the export that arrives is the last one, made at exit.
        proxy.Signal(Socks5dProcess.SIGTERM);
        var (head, body) = await received.WaitAsync(TestTimeouts.Generous);

        head.Should().StartWith("POST /v1/metrics HTTP/1.1\r\n");
        head.Should().ContainEquivalentOf("Content-Type: application/x-protobuf");
        var text = Encoding.ASCII.GetString(body);
        text.Should().Contain("socks.sessions.succeeded").And.Contain("socks.handshake.duration").And.Contain("socks.io");
        (await proxy.WaitForExitAsync()).Should().Be(0);
    }

    /// <summary>Accepts connections until one carries a POST with a body; answers 200 with an empty protobuf message.</summary>
    private static async Task<(string Head, byte[] Body)> ReceiveOneExportAsync(TcpListener listener)
    {
        while (true)
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new List<byte>();
            var chunk = new byte[65536];
            int headEnd;
            while ((headEnd = IndexOf(buffer, "\r\n\r\n"u8.ToArray())) < 0)
            {
                var n = await stream.ReadAsync(chunk);
                if (n == 0)
                {
                    break;
                }

                buffer.AddRange(chunk.AsSpan(0, n));
            }

            if (headEnd < 0)
            {
                continue;
            }

            var head = Encoding.ASCII.GetString([.. buffer.Take(headEnd + 4)]);
            var length = int.Parse(ContentLength().Match(head).Groups[1].Value);
            while (buffer.Count < headEnd + 4 + length)
            {
                var n = await stream.ReadAsync(chunk);
                if (n == 0)
                {
                    break;
                }

                buffer.AddRange(chunk.AsSpan(0, n));
            }

            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
            return (head, [.. buffer.Skip(headEnd + 4).Take(length)]);
        }
    }

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Count; i++)
        {
            if (haystack.Skip(i).Take(needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        return -1;
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/metrics")]
    private static partial Regex PrometheusUrl();

    // A metric name is followed by its label matchers; label names (by (socks_leg), {{socks_leg}}) are not.
    [GeneratedRegex(@"socks_[a-z_]+(?=\{)")]
    private static partial Regex DashboardMetric();

    [GeneratedRegex(@"Content-Length: (\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex ContentLength();
}
