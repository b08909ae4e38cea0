using System.Text.Json;
using System.Text.RegularExpressions;

namespace EndToEnd.Tests.Deployment;

/// <summary>
/// The Dockerfile and .dockerignore, checked without a Docker daemon (there is none on the build machine): the
/// Dockerfile passes a real Dockerfile linter, its command line is one socks5d accepts, and what it exposes,
/// writes and copies agrees with that command line.
/// </summary>
[CancelAfter(TestTimeouts.LongTestMilliseconds)]
public sealed partial class ContainerFilesTests
{
    /// <summary>The linter of the Docker language server (rcjsuen/dockerfile-utils), from the npm registry.</summary>
    private const string LinterPackage = "dockerfile-utils@0.16.3";

    private static readonly string LinterDirectory = Path.Combine(Path.GetTempPath(), "socks5d-tests-dockerfile-utils");

    private static string Dockerfile => File.ReadAllText(RepositoryFiles.Find("Dockerfile"));

    [Test]
    public async Task Dockerfile_PassesTheDockerfileLinter()
    {
        Directory.CreateDirectory(LinterDirectory);
        var install = $"cd '{LinterDirectory}' && flock .install.lock sh -c " +
            $"'test -x node_modules/.bin/dockerfile-utils || npm install --no-audit --no-fund --no-save --loglevel=error {LinterPackage}'";
        var installed = await ScriptRunner.RunAsync("/bin/sh", ["-c", install]);
        installed.ExitCode.Should().Be(0, $"npm install {LinterPackage}: {installed.Stderr}");

        var lint = await ScriptRunner.RunAsync(Path.Combine(LinterDirectory, "node_modules", ".bin", "dockerfile-utils"), ["lint", RepositoryFiles.Find("Dockerfile")]);

        lint.ExitCode.Should().Be(0, lint.Stdout + lint.Stderr);
        lint.Stdout.Should().BeEmpty();
    }

    [Test]
    public async Task Dockerfile_CommandLine_IsAcceptedBySocks5d_AndWritesOnlyToTheVolume()
    {
        var entrypoint = JsonArray("ENTRYPOINT");
        var command = JsonArray("CMD");
        entrypoint.Should().Equal("/usr/local/bin/socks5d");

        var (exitCode, stdout, stderr) = await Socks5dProcess.RunAsync([.. command, "--print-config"]);

        exitCode.Should().Be(0, string.Join('\n', stderr));
        using var config = JsonDocument.Parse(string.Join('\n', stdout));
        var volume = JsonArray("VOLUME").Should().ContainSingle().Subject;
        config.RootElement.GetProperty("users-file").GetString().Should().StartWith(volume + "/");
        config.RootElement.GetProperty("credentials-log").GetString().Should().StartWith(volume + "/");
        config.RootElement.GetProperty("access-log").GetString().Should().Be("-", "the access log goes to docker logs");
        config.RootElement.GetProperty("mgmt-address").GetString().Should().Be("127.0.0.1", "MCP stays on the container's loopback");
        Instruction("ENV").Should().Contain($"STATE_DIRECTORY={volume}");

        var metricsPort = config.RootElement.GetProperty("metrics-listen").GetString()!.Split(':')[^1];
        var socksPort = config.RootElement.GetProperty("port").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Instruction("EXPOSE").Split(' ').Should().BeEquivalentTo([$"{socksPort}/tcp", $"{metricsPort}/tcp"]);
    }

    [Test]
    public void Dockerfile_RunsAsANonRootUser_ThatOwnsTheVolume()
    {
        var user = Instruction("USER");
        user.Should().MatchRegex(@"^[1-9][0-9]*:[1-9][0-9]*$", "a numeric uid and gid, not root");
        var parent = Path.GetDirectoryName(JsonArray("VOLUME").Single());
        Dockerfile.Should().Contain($"COPY --from=build --chown={user} /rootfs{parent}/ {parent}/\n");
        Dockerfile.Should().Contain($"chmod 0700 /rootfs{JsonArray("VOLUME").Single()}");
    }

    [Test]
    public void Dockerignore_LetsInEveryFileTheBuildStageCopies()
    {
        var ignore = File.ReadAllLines(RepositoryFiles.Find(".dockerignore")).Where(line => line.Length > 0 && line[0] != '#').ToList();
        ignore[0].Should().Be("*", "the context holds only what is let in again");
        var letIn = ignore.Where(line => line[0] == '!').Select(line => line[1..].TrimEnd('/')).ToHashSet(StringComparer.Ordinal);

        var sources = CopyLine().Matches(Dockerfile).SelectMany(match => match.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]).ToList();

        sources.Should().NotBeEmpty();
        foreach (var source in sources.Select(s => s.TrimEnd('/')))
        {
            letIn.Should().Contain(source, "COPY needs it in the build context");
            File.Exists(RepositoryFiles.Find(source)).Should().Be(!Directory.Exists(RepositoryFiles.Find(source)));
        }
    }

    /// <summary>The JSON array of the last instruction <paramref name="name"/> (exec form).</summary>
    private static string[] JsonArray(string name) => JsonSerializer.Deserialize<string[]>(Instruction(name))!;

    /// <summary>The arguments of the last instruction <paramref name="name"/> of the final stage.</summary>
    private static string Instruction(string name) =>
        Dockerfile.Split('\n').Last(line => line.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..].Trim();

    /// <summary>A COPY from the build context (no --from).</summary>
    [GeneratedRegex(@"^COPY (?!--from)(?<args>[^\n]+)$", RegexOptions.Multiline)]
    private static partial Regex CopyLine();
}
