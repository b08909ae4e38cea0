using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;

namespace Tests.Common;

/// <summary>
/// Runs the real mcpctl as another local user, <c>nobody</c> (uid 65534), through <c>setpriv(1)</c>, to see what
/// socks5d does with a client that is not root and not its own uid. Needs the tests to run as root.
/// </summary>
/// <remarks>
/// nobody cannot read the test output when the clone lives under a private home (/root is 0700), so each run copies
/// mcpctl and the assemblies it needs (from mcpctl.deps.json) into a fresh directory under /tmp that everyone may read,
/// and runs <c>dotnet DIR/mcpctl.dll</c> there with a writable HOME. The directory is deleted afterwards.
/// </remarks>
[SupportedOSPlatform("linux")]
public static class McpctlAsUser
{
    /// <summary>nobody's uid and gid (Debian's nobody/nogroup; numeric, so no group name is assumed).</summary>
    public const int NobodyUid = 65534;

    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode Traversable = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Runs <c>mcpctl args...</c> as nobody (stdin is an empty pipe).</summary>
    public static async Task<RunResult> RunAsNobodyAsync(params string[] args)
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException($"running mcpctl as another user takes root (setpriv); the tests run as {Environment.UserName}");
        }

        var directory = Path.Combine("/tmp", $"mcpctl-as-nobody-{Guid.NewGuid():N}");
        // Modes set after creating: a mode given at creation is cut by the umask.
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, Traversable);
        try
        {
            foreach (var file in FilesOfMcpctl())
            {
                var copy = Path.Combine(directory, file);
                File.Copy(Path.Combine(AppContext.BaseDirectory, file), copy);
                File.SetUnixFileMode(copy, Readable);
            }

            var home = Path.Combine(directory, "home");
            Directory.CreateDirectory(home);
            File.SetUnixFileMode(home, Traversable | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
            var start = new ProcessStartInfo("setpriv")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
                StandardInputEncoding = new UTF8Encoding(false),
                WorkingDirectory = directory,
            };
            foreach (var argument in (string[])[$"--reuid={NobodyUid}", $"--regid={NobodyUid}", "--clear-groups", "--", Mcpctl.DotnetHost(), Path.Combine(directory, "mcpctl.dll"), .. args])
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["HOME"] = home;
            start.Environment["DOTNET_CLI_HOME"] = home;
            return await Mcpctl.RunAsync(start, args, stdin: "");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>mcpctl.dll, its runtime and dependency manifests, and every assembly the dependency manifest lists.</summary>
    private static IEnumerable<string> FilesOfMcpctl()
    {
        yield return "mcpctl.dll";
        yield return "mcpctl.runtimeconfig.json";
        yield return "mcpctl.deps.json";
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "mcpctl.deps.json")));
        foreach (var target in deps.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (var library in target.Value.EnumerateObject())
            {
                if (library.Value.TryGetProperty("runtime", out var runtime))
                {
                    foreach (var asset in runtime.EnumerateObject())
                    {
                        var name = Path.GetFileName(asset.Name);
                        if (name != "mcpctl.dll")
                        {
                            yield return name;
                        }
                    }
                }
            }
        }
    }
}
