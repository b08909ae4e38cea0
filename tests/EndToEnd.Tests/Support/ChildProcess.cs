using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EndToEnd.Tests.Support;

/// <summary>
/// A real child process (a sample app, dotnet, a tool) with its output lines kept: a test waits for a line, signals the
/// process, and waits for its exit, each within <see cref="TestTimeouts.Generous"/>.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int SIGTERM = 15;

    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process) => _process = process;

    /// <summary>The lines written to stdout so far.</summary>
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

    /// <summary>The lines written to stderr so far.</summary>
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

    /// <summary>Starts <c>dotnet DLL args</c> for a .NET app copied next to the tests.</summary>
    public static ChildProcess StartDotnet(string dll, params string[] arguments) =>
        Start(Mcpctl.DotnetHost(), [Path.Combine(AppContext.BaseDirectory, dll), .. arguments]);

    /// <summary>Starts <paramref name="program"/> with stdin, stdout and stderr on pipes.</summary>
    public static ChildProcess Start(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The MSBuild variables of the `dotnet test` that runs us would steer a dotnet build started here.
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, child._stdout, child._stdoutClosed);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, child._stderr, child._stderrClosed);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs <paramref name="program"/> to its exit, killed (and the test failed) after <paramref name="limit"/>.</summary>
    public static async Task<RunResult> RunAsync(
        string program, IEnumerable<string> arguments, TimeSpan limit, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        await using var child = Start(program, arguments, environment, workingDirectory);
        child._process.StandardInput.Close();
        var exitCode = await child.WaitForExitAsync(limit);
        return new RunResult(exitCode, string.Join('\n', child.StandardOutput), string.Join('\n', child.StandardError));
    }

    /// <summary>Completes with the first stdout line (already written or coming) that matches.</summary>
    public Task<string> WaitForOutputAsync(Func<string, bool> match)
    {
        lock (_lock)
        {
            if (_stdout.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task.WaitAsync(TestTimeouts.Generous);
        }
    }

    /// <summary>Writes one line to the process's stdin.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Sends SIGTERM, as a service manager or <c>kill</c> does.</summary>
    public void Terminate() => kill(_process.Id, SIGTERM).Should().Be(0);

    /// <summary>Waits for the exit and the end of both output streams; the exit code.</summary>
    public async Task<int> WaitForExitAsync() => await WaitForExitAsync(TestTimeouts.Generous);

    private async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)} did not exit within {limit}; "
                + $"stdout: {string.Join('\n', StandardOutput)}\nstderr: {string.Join('\n', StandardError)}");
        }

        await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(limit);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line, List<string> lines, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        List<TaskCompletionSource<string>> matched = [];
        lock (_lock)
        {
            lines.Add(line);
            if (lines == _stdout)
            {
                foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
                {
                    _waiters.Remove(waiter);
                    matched.Add(waiter.Found);
                }
            }
        }

        foreach (var found in matched)
        {
            found.TrySetResult(line);
        }
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SA1300, IDE1006 // The libc name.
    private static extern int kill(int pid, int sig);
#pragma warning restore SA1300, IDE1006
}
