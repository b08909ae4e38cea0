using System.Diagnostics;

namespace Tests.Common;

/// <summary>
/// Makes sure the real clients the tests drive are installed before any test runs: on a fresh
/// Debian machine with only the .NET SDK, <c>dotnet test</c> installs them with apt-get itself. A tool
/// that cannot be installed fails the run with one line naming it; tests never skip for a missing tool.
/// </summary>
public static class RequiredTools
{
    /// <summary>Debian packages by the command they provide.</summary>
    private static readonly (string Command, string Package)[] Tools = [("curl", "curl"), ("fail2ban-regex", "fail2ban"), ("fail2ban-client", "fail2ban"), ("setpriv", "util-linux"), ("unshare", "util-linux"), ("mount", "mount"), ("torsocks", "torsocks"), ("node", "nodejs"), ("npm", "npm"), ("flock", "util-linux"), ("systemd-analyze", "systemd"), ("logrotate", "logrotate"), ("promtool", "prometheus"), ("dovecot", "dovecot-imapd"), ("zsh", "zsh"), ("tmux", "tmux"), ("redis-server", "redis-server"), ("redis-cli", "redis-tools"), ("haproxy", "haproxy"), ("openssl", "openssl")];

    /// <summary>Debian packages that provide a library, not a command, by a file they install.</summary>
    private static readonly (string File, string Package)[] Libraries = [("/usr/lib/python3/dist-packages/socks.py", "python3-socks")];

    private static readonly TimeSpan AptTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Installs every missing tool.</summary>
    /// <exception cref="InvalidOperationException">A tool is missing and apt-get could not install it.</exception>
    public static void EnsureInstalled()
    {
        var missing = Tools.Where(tool => !IsOnPath(tool.Command)).Select(tool => tool.Package)
            .Concat(Libraries.Where(library => !File.Exists(library.File)).Select(library => library.Package))
            .Distinct().ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var sudo = Environment.UserName == "root" ? string.Empty : "sudo -n ";
        var packages = string.Join(' ', missing);
        var (exitCode, output) = Run($"{sudo}apt-get update -qq && {sudo}apt-get install -y -qq --no-install-recommends {packages}");
        var stillMissing = Tools.Where(tool => !IsOnPath(tool.Command)).Select(tool => tool.Command)
            .Concat(Libraries.Where(library => !File.Exists(library.File)).Select(library => library.Package))
            .ToList();
        if (stillMissing.Count > 0)
        {
            throw new InvalidOperationException(
                $"the tests need {string.Join(", ", stillMissing)}; apt-get install {packages} exited {exitCode}: {output.Trim()}");
        }
    }

    private static bool IsOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, command)));

    private static (int ExitCode, string Output) Run(string script)
    {
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(script);
        startInfo.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(AptTimeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }

        return (process.ExitCode, output.Result + error.Result);
    }
}
