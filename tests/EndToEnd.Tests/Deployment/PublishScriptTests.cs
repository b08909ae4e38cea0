using System.Diagnostics;
using System.Globalization;

namespace EndToEnd.Tests.Deployment;

/// <summary>
/// scripts/publish makes self-contained single-file binaries that run without the SDK: the produced socks5d serves the
/// real curl and the produced mcpctl reads its metrics.
/// </summary>
public sealed class PublishScriptTests
{
    /// <summary>A cold publish restores the runtime pack and builds both projects in Release; a warm one takes seconds.</summary>
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(8);

    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("socks5d-publish-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    [CancelAfter(10 * 60 * 1000)]
    public async Task Publish_LinuxX64_BinariesServeCurlAndReadMetrics_WithoutTheSdk()
    {
        var output = Path.Combine(_directory, "dist");
        var watch = Stopwatch.StartNew();
        var publish = await RunAsync(RepositoryFiles.Find("scripts/publish"), ["--rid", "linux-x64", "--output", output], PublishLimit);
        TestContext.Progress.WriteLine($"scripts/publish --rid linux-x64 took {watch.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s");

        publish.ExitCode.Should().Be(0, publish.Stderr);
        var socks5d = Path.Combine(output, "linux-x64", "socks5d");
        var mcpctl = Path.Combine(output, "linux-x64", "mcpctl");
        publish.StdoutLines.Should().Equal(socks5d, mcpctl);
        Directory.GetFiles(Path.Combine(output, "linux-x64")).Order(StringComparer.Ordinal).Should().Equal([mcpctl, socks5d], "single files, symbols embedded");
        foreach (var binary in new[] { socks5d, mcpctl })
        {
            // Self-contained: the runtime itself is in the bundle (a framework-dependent single file would use the machine's).
            (await File.ReadAllBytesAsync(binary)).AsSpan().IndexOf("System.Private.CoreLib.dll"u8).Should().BeGreaterThan(0, binary);
        }

        var users = Path.Combine(_directory, "users.txt");
        await File.WriteAllTextAsync(users, "alice:published-pw\n");
        await using var web = new TinyWebServer();
        await using var proxy = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "--users-from", users], executable: socks5d);
        var (endpoint, _) = await proxy.WaitForListeningAsync();
        var management = await proxy.WaitForManagementAsync();

        (await Curl.RunAsync($"socks5h://alice:published-pw@{endpoint}", $"http://127.0.0.1:{web.Port}/")).Should().Be((0, TinyWebServer.Body));
        var metrics = await RunAsync(mcpctl, ["-P", management.Port.ToString(CultureInfo.InvariantCulture), "metrics"], TestTimeouts.Generous);

        metrics.ExitCode.Should().Be(0, metrics.Stderr);
        metrics.StdoutLines.Should().HaveCount(6).And.Contain(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^Successful connections +1 "));
    }

    [TestCase("--rid", "win-x64", "publish: unsupported RID 'win-x64': expected one of linux-x64 linux-arm64")]
    [TestCase("--output", null, "publish: option '--output' requires a value")]
    [TestCase("--fast", null, "publish: unknown argument '--fast'")]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task Publish_BadArguments_OneLineAndExit64(string option, string? value, string error)
    {
        var result = await RunAsync(RepositoryFiles.Find("scripts/publish"), value is null ? [option] : [option, value], TestTimeouts.Generous);

        result.ExitCode.Should().Be(64);
        result.Stdout.Should().BeEmpty();
        result.StderrLines.Should().Equal(error, "Run 'scripts/publish --help' for the options.");
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task Publish_Help_NamesEveryOptionOnStandardOutput()
    {
        var result = await RunAsync(RepositoryFiles.Find("scripts/publish"), ["--help"], TestTimeouts.Generous);

        result.ExitCode.Should().Be(0);
        result.Stdout.Should().Contain("--rid RID").And.Contain("--output DIR").And.Contain("linux-x64 linux-arm64").And.Contain("Exit status");
    }

    /// <summary>Runs a program to its end, killed past <paramref name="limit"/> (a generous upper bound).</summary>
    private static async Task<RunResult> RunAsync(string program, string[] arguments, TimeSpan limit)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {limit}");
        }

        return new RunResult(process.ExitCode, await stdout, await stderr);
    }
}
