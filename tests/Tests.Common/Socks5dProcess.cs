using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Tests.Common;

/// <summary>
/// The real <c>socks5d</c> as a child process (<c>dotnet socks5d.dll</c> from the test output), optionally
/// under a lower descriptor limit (<c>bash -c "ulimit -n N; exec dotnet ..."</c>, same PID).
/// </summary>
/// <remarks>
/// Unless the arguments choose a management port (<c>-P</c>, <c>--mgmt-port</c>) or a Unix socket (<c>-L unix:PATH</c>),
/// <c>-P 0</c> is added: the default 8080 would collide between tests running in parallel (and with other socks5d
/// processes on the machine).
/// </remarks>
public sealed partial class Socks5dProcess : IAsyncDisposable
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly List<string> _stderr = [];
    private readonly List<string> _stdout = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Socks5dProcess(Process process, string stateDirectory)
    {
        _process = process;
        StateDirectory = stateDirectory;
    }

    public int Pid => _process.Id;

    /// <summary>The process's own $STATE_DIRECTORY (as systemd gives one): the default credentials log goes there.</summary>
    public string StateDirectory { get; }

    public IReadOnlyList<string> StandardError
    {
        get
        {
            lock (_lock)
            {
                return [.. _stderr];
            }
        }
    }

    public IReadOnlyList<string> StandardOutput
    {
        get
        {
            lock (_lock)
            {
                return [.. _stdout];
            }
        }
    }

    /// <summary>Starts socks5d with <paramref name="arguments"/> (and <c>-P 0</c> unless an MCP endpoint is given); wait for <see cref="WaitForListeningAsync"/> before using it.</summary>
    /// <param name="arguments">socks5d's arguments.</param>
    /// <param name="descriptorLimit">RLIMIT_NOFILE for the process (soft and hard, <c>ulimit -n</c>), or null for the inherited one.</param>
    /// <param name="resolvConf">
    /// A file the process sees as /etc/resolv.conf, or null for the machine's: the process runs in a mount namespace
    /// of its own (<c>unshare --mount</c>, private propagation) with the file bind-mounted there, so glibc asks the
    /// test's name server and the machine's file stays untouched. Needs root (the tests run as root).
    /// </param>
    /// <param name="launcher">A program that runs socks5d (<c>nohup</c>), exec'ed by bash with the command after it.</param>
    /// <param name="hosts">A file the process sees as /etc/hosts, or null for the machine's: bind-mounted as <paramref name="resolvConf"/> is.</param>
    /// <param name="executable">A socks5d executable to run instead of <c>dotnet socks5d.dll</c> (a published single-file build); not with the other options.</param>
    /// <param name="environment">Variables set for the process on top of the test's own environment.</param>
    public static Socks5dProcess Start(IEnumerable<string> arguments, int? descriptorLimit = null, string? resolvConf = null, string? launcher = null, string? hosts = null,
        string? executable = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "socks5d.dll");
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        var stateDirectory = Directory.CreateTempSubdirectory("socks5d-state-").FullName;
        startInfo.Environment["STATE_DIRECTORY"] = stateDirectory;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        if (descriptorLimit is not null || resolvConf is not null || launcher is not null || hosts is not null)
        {
            // Every step execs the next, so the PID is socks5d's own.
            var script = "";
            if (descriptorLimit is { } limit)
            {
                script += $"ulimit -n {limit} && ";
            }

            if (resolvConf is not null || hosts is not null)
            {
                if (resolvConf is not null)
                {
                    startInfo.Environment["TEST_RESOLV_CONF_OF_SOCKS5D"] = resolvConf;
                    script += "mount --bind \"$TEST_RESOLV_CONF_OF_SOCKS5D\" /etc/resolv.conf && ";
                }

                if (hosts is not null)
                {
                    startInfo.Environment["TEST_HOSTS_OF_SOCKS5D"] = hosts;
                    script += "mount --bind \"$TEST_HOSTS_OF_SOCKS5D\" /etc/hosts && ";
                }

                startInfo.FileName = "unshare";
                startInfo.ArgumentList.Add("--mount");
                startInfo.ArgumentList.Add("bash");
            }
            else
            {
                startInfo.FileName = "bash";
            }

            startInfo.ArgumentList.Add("-c");
            startInfo.ArgumentList.Add(script + $"exec {launcher} dotnet \"$0\" \"$@\"");
            startInfo.ArgumentList.Add(dll);
        }
        else if (executable is not null)
        {
            startInfo.FileName = executable;
        }
        else
        {
            startInfo.FileName = "dotnet";
            startInfo.ArgumentList.Add(dll);
        }

        var given = arguments.ToList();
        foreach (var argument in given)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // A Unix-socket MCP listener (-L unix:PATH) has no port, and -P with it is a usage error.
        if (!given.Any(a => a.StartsWith("-P", StringComparison.Ordinal) || a.StartsWith("--mgmt-port", StringComparison.Ordinal)
            || a.Contains("unix:", StringComparison.Ordinal)))
        {
            startInfo.ArgumentList.Add("-P");
            startInfo.ArgumentList.Add("0");
        }

        var process = new Process { StartInfo = startInfo };
        var wrapper = new Socks5dProcess(process, stateDirectory);
        process.ErrorDataReceived += (_, e) => wrapper.OnLine(e.Data, isError: true);
        process.OutputDataReceived += (_, e) => wrapper.OnLine(e.Data, isError: false);
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return wrapper;
    }

    /// <summary>Runs socks5d to completion (for flags that exit at once).</summary>
    public static async Task<(int ExitCode, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr)> RunAsync(params string[] arguments)
    {
        await using var process = Start(arguments);
        var exitCode = await process.WaitForExitAsync();
        return (exitCode, process.StandardOutput, process.StandardError);
    }

    /// <summary>Waits for the startup line and returns the SOCKS endpoint as 127.0.0.1:PORT, and the connection limit.</summary>
    public async Task<(IPEndPoint EndPoint, int MaxConnections)> WaitForListeningAsync()
    {
        var line = await WaitForLineAsync(l => ListeningLine().IsMatch(l));
        var match = ListeningLine().Match(line);
        match.Success.Should().BeTrue($"the startup line names the endpoint: {line}");
        return (new IPEndPoint(IPAddress.Loopback, int.Parse(match.Groups["port"].Value)), int.Parse(match.Groups["max"].Value));
    }

    /// <summary>Waits for the MCP listener's startup line and returns the endpoint it is bound to (the real port for -P 0).</summary>
    public async Task<IPEndPoint> WaitForManagementAsync()
    {
        var line = await WaitForLineAsync(l => ManagementLine().IsMatch(l));
        return IPEndPoint.Parse(ManagementLine().Match(line).Groups["endpoint"].Value);
    }

    /// <summary>Waits for the MCP listener's startup line when it listens on a Unix socket (-L unix:PATH) and returns the path.</summary>
    public async Task<string> WaitForManagementSocketAsync()
    {
        var line = await WaitForLineAsync(l => ManagementLine().IsMatch(l));
        var endpoint = ManagementLine().Match(line).Groups["endpoint"].Value;
        endpoint.Should().StartWith("unix:", $"MCP listens on a Unix socket: {line}");
        return endpoint["unix:".Length..];
    }

    /// <summary>Completes with the first stderr line (already seen or coming) that matches.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        lock (_lock)
        {
            if (_stderr.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task.WaitAsync(TestTimeouts.Generous);
        }
    }

    public void Signal(int signal) => kill(Pid, signal).Should().Be(0);

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Generous);
        await Task.WhenAll(_stderrClosed.Task, _stdoutClosed.Task).WaitAsync(TestTimeouts.Generous);
        return _process.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Threads of the process now (/proc/PID/status Threads).</summary>
    public int Threads() => int.Parse(
        File.ReadLines($"/proc/{Pid}/status").Single(l => l.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim(),
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Threads of the process now whose name (/proc/PID/task/TID/comm) is <paramref name="name"/>.</summary>
    public int ThreadsNamed(string name) => Directory.GetDirectories($"/proc/{Pid}/task")
        .Count(task => File.Exists(Path.Combine(task, "comm")) && TryRead(Path.Combine(task, "comm"))?.Trim() == name);

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            // The thread ended between listing and reading.
            return null;
        }
    }

    /// <summary>CPU time the process has used so far (user and system, /proc/PID/stat), in seconds.</summary>
    public double CpuSeconds()
    {
        // Fields after the command name (which is in parentheses and may hold spaces): state is field 3, utime 14, stime 15.
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        const double TicksPerSecond = 100; // USER_HZ on every Linux ABI
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>Resident memory of the process now (/proc/PID/status VmRSS), in bytes.</summary>
    public long ResidentBytes() => 1024 * long.Parse(
        File.ReadLines($"/proc/{Pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))["VmRSS:".Length..].Trim().Split(' ')[0],
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Descriptors the process holds now.</summary>
    public int OpenDescriptors() => Directory.GetFileSystemEntries($"/proc/{Pid}/fd").Length;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Generous);
        }

        _process.Dispose();
        Directory.Delete(StateDirectory, recursive: true);
    }

    private void OnLine(string? line, bool isError)
    {
        lock (_lock)
        {
            if (line is null)
            {
                (isError ? _stderrClosed : _stdoutClosed).TrySetResult();
                return;
            }

            if (!isError)
            {
                _stdout.Add(line);
                return;
            }

            _stderr.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Found.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    [GeneratedRegex(@"listening on .*:(?<port>\d+) \(SOCKS5, at most (?<max>\d+) connections\)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"MCP management listening on (?<endpoint>\S+) \(")]
    private static partial Regex ManagementLine();

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SA1300, IDE1006 // The libc name.
    private static extern int kill(int pid, int sig);
#pragma warning restore SA1300, IDE1006
}
