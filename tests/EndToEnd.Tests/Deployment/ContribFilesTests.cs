using System.Globalization;
using System.Text.RegularExpressions;

namespace EndToEnd.Tests.Deployment;

/// <summary>
/// The files an operator installs from <c>contrib/</c>: the systemd unit passes the real <c>systemd-analyze verify</c>, scores
/// what docs/deployment.md quotes, and its ExecStart runs the real socks5d with the directories systemd would give it;
/// the logrotate recipe parses with the real logrotate.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed partial class ContribFilesTests
{
    private const string InstalledBinary = "/usr/local/bin/socks5d";

    [Test]
    public async Task SystemdUnit_PassesSystemdAnalyzeVerify()
    {
        using var copy = UnitCopy.Create();
        // verify also checks that Documentation=man:socks5d(8) exists: the man page as `make install` would put it.
        var man8 = Directory.CreateDirectory(Path.Combine(copy.Directory, "man", "man8")).FullName;
        File.Copy(RepositoryFiles.Find("docs/socks5d.8"), Path.Combine(man8, "socks5d.8"));

        var result = await ScriptRunner.RunAsync("systemd-analyze", ["verify", copy.Path], new Dictionary<string, string> { ["MANPATH"] = Path.Combine(copy.Directory, "man") });

        result.Should().Be(new RunResult(0, "", ""), "systemd-analyze verify prints nothing for a valid unit");
    }

    [Test]
    public async Task SystemdUnit_ScoresTheExposureTheDocsQuote()
    {
        using var copy = UnitCopy.Create();

        var result = await ScriptRunner.RunAsync("systemd-analyze", ["security", "--offline=yes", "--no-pager", copy.Path]);

        result.ExitCode.Should().Be(0, result.Stderr);
        var measured = ExposureLine().Match(result.Stdout);
        measured.Success.Should().BeTrue(result.Stdout);
        var score = decimal.Parse(measured.Groups["score"].Value, CultureInfo.InvariantCulture);
        score.Should().BeLessThanOrEqualTo(2.0m, "the unit is hardened (systemd calls 2.0 and below OK)");
        var docs = await File.ReadAllTextAsync(RepositoryFiles.Find("docs/deployment.md"));
        docs.Should().Contain($"exposure level {measured.Groups["score"].Value} ", "docs/deployment.md quotes the score systemd gives the unit");
    }

    [Test]
    public async Task SystemdUnit_ExecStartRunsTheRealServerWithTheServiceDirectories()
    {
        var root = Directory.CreateTempSubdirectory("socks5d-unit-").FullName;
        try
        {
            // What systemd creates from StateDirectory=, LogsDirectory= and RuntimeDirectory= under %S, %L and %t.
            var state = Path.Combine(root, "lib");
            var logs = Path.Combine(root, "log");
            var runtime = Path.Combine(root, "run");
            foreach (var directory in new[] { state, logs, runtime })
            {
                Directory.CreateDirectory(Path.Combine(directory, "socks5d"));
            }

            var arguments = ExecStartArguments(await File.ReadAllTextAsync(RepositoryFiles.Find("contrib/systemd/socks5d.service")))
                .Select(argument => argument.Replace("%S", state, StringComparison.Ordinal)
                    .Replace("%L", logs, StringComparison.Ordinal)
                    .Replace("%t", runtime, StringComparison.Ordinal))
                .ToList();
            arguments.Should().NotContain(argument => argument.Contains('%'), "every specifier of ExecStart is one the test knows");
            await using var target = new TinyWebServer();
            var socket = Path.Combine(runtime, "socks5d", "mcp.sock");
            await using (var proxy = Socks5dProcess.Start([.. arguments, "-l", "127.0.0.1", "-p", "0"]))
            {
                var (socks, _) = await proxy.WaitForListeningAsync();
                (await proxy.WaitForManagementSocketAsync()).Should().Be(socket);

                (await Mcpctl.RunAsync(["--socket", socket, "add-user", "--password-stdin", "alice"], "alice-pw\n")).ExitCode.Should().Be(0);
                var (exitCode, body) = await Curl.RunAsync($"socks5h://alice:alice-pw@{socks}", $"http://127.0.0.1:{target.Port}/");

                exitCode.Should().Be(0);
                body.Should().Be(TinyWebServer.Body);
                proxy.Signal(Socks5dProcess.SIGTERM);
                (await proxy.WaitForExitAsync()).Should().Be(0);
            }

            (await File.ReadAllTextAsync(Path.Combine(logs, "socks5d", "access.log"))).Should().Contain("\talice\t", "the session is in the access log in LogsDirectory=");

            // A restart (Restart=on-failure, or the next boot) finds the user in StateDirectory=.
            await using var restarted = Socks5dProcess.Start([.. arguments, "-l", "127.0.0.1", "-p", "0"]);
            await restarted.WaitForManagementSocketAsync();
            (await Mcpctl.RunAsync(["--socket", socket, "list-users"])).Should().Be(new RunResult(0, "alice\n", ""));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public async Task LogrotateRecipe_ParsesWithTheRealLogrotate()
    {
        var state = Path.GetTempFileName();
        try
        {
            // -d: read the configuration and say what would be done, touching nothing.
            var result = await ScriptRunner.RunAsync("logrotate", ["-d", "-s", state, RepositoryFiles.Find("contrib/logrotate/socks5d")]);

            result.ExitCode.Should().Be(0, result.Stderr);
            (result.Stdout + result.Stderr).Should().Contain("/var/log/socks5d/access.log").And.NotContain("error");
        }
        finally
        {
            File.Delete(state);
        }
    }

    /// <summary>The words of the ExecStart= line after the program, with its continuation lines joined.</summary>
    private static List<string> ExecStartArguments(string unit)
    {
        var line = ExecStartLine().Match(unit.Replace("\\\n", " ", StringComparison.Ordinal));
        line.Success.Should().BeTrue("the unit has an ExecStart= line");
        var words = line.Groups["command"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        words[0].Should().Be(InstalledBinary);
        return words[1..];
    }

    [GeneratedRegex(@"^ExecStart=(?<command>.*)$", RegexOptions.Multiline)]
    private static partial Regex ExecStartLine();

    [GeneratedRegex(@"Overall exposure level for \S+: (?<score>\d+\.\d) ")]
    private static partial Regex ExposureLine();

    /// <summary>The unit in a temporary directory, its ExecStart pointed at a program that exists on every machine (verify checks that it does).</summary>
    private sealed class UnitCopy : IDisposable
    {
        private UnitCopy(string directory)
        {
            Directory = directory;
            Path = System.IO.Path.Combine(directory, "socks5d.service");
        }

        public string Directory { get; }

        public string Path { get; }

        public static UnitCopy Create()
        {
            var copy = new UnitCopy(System.IO.Directory.CreateTempSubdirectory("socks5d-unit-").FullName);
            var unit = File.ReadAllText(RepositoryFiles.Find("contrib/systemd/socks5d.service"));
            unit.Should().Contain($"ExecStart={InstalledBinary} ");
            File.WriteAllText(copy.Path, unit.Replace($"ExecStart={InstalledBinary} ", $"ExecStart=/bin/true ", StringComparison.Ordinal));
            return copy;
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
