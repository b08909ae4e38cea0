using System.Diagnostics;

namespace Tests.Common;

/// <summary>
/// A program running in a real terminal: a detached tmux session of a given size on a tmux server of its own (its
/// socket in a fresh directory, so no other tmux is touched). Keys go in with <c>send-keys</c>, the screen comes back
/// with <c>capture-pane -p</c>; the pane stays after the program exits, and its exit status is written to a file.
/// </summary>
public sealed class TmuxSession : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly string _directory;
    private readonly string _socket;

    private TmuxSession(string directory)
    {
        _directory = directory;
        _socket = Path.Combine(directory, "tmux.sock");
    }

    /// <summary>Starts <paramref name="command"/> (a shell command line) in a <paramref name="width"/> x <paramref name="height"/> terminal.</summary>
    /// <param name="command">Run by tmux with <c>sh -c</c>.</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="environment">Variables for the program (TERM is xterm-256color unless given).</param>
    public static async Task<TmuxSession> StartAsync(string command, int width, int height, IReadOnlyDictionary<string, string>? environment = null)
    {
        var session = new TmuxSession(System.IO.Directory.CreateTempSubdirectory("socks5d-tmux-").FullName);
        var variables = new Dictionary<string, string> { ["TERM"] = "xterm-256color" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        // The configuration is read as the server starts, before the program runs: the pane stays when the program
        // exits (its status readable), and no status line takes a row. (window-size manual here crashes tmux 3.3a's
        // server; resize-window sets it for the window anyway.)
        var configuration = Path.Combine(session.Directory, "tmux.conf");
        await File.WriteAllTextAsync(configuration, "set -g remain-on-exit on\nset -g status off\n");
        List<string> arguments = ["-f", configuration, "new-session", "-d", "-s", "t", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        foreach (var (name, value) in variables)
        {
            arguments.AddRange(["-e", $"{name}={value}"]);
        }

        // The exit status goes to a file: tmux 3.3 does not always report #{pane_dead_status} for a pane that died.
        arguments.Add($"{command}; echo $? > '{session.ExitStatusFile}'");
        await session.TmuxAsync([.. arguments]);
        return session;
    }

    /// <summary>The directory of this session's socket, free for the test's own files.</summary>
    public string Directory => _directory;

    /// <summary>Sends keys as tmux names them (<c>q</c>, <c>C-c</c>, <c>Tab</c>), or literal text with <paramref name="literal"/>.</summary>
    public Task SendKeysAsync(string keys, bool literal = false) =>
        TmuxAsync(literal ? ["send-keys", "-t", "t", "-l", keys] : ["send-keys", "-t", "t", keys]);

    /// <summary>The screen as text, one string per row (trailing blanks trimmed); with <paramref name="history"/> the lines scrolled off it first.</summary>
    /// <remarks>When the program exits, tmux writes "Pane is dead" on a new last line, which may scroll the top line into the history.</remarks>
    public async Task<string[]> CaptureAsync(bool history = false)
    {
        var screen = await TmuxAsync(history ? ["capture-pane", "-p", "-S", "-", "-t", "t"] : ["capture-pane", "-p", "-t", "t"]);
        return [.. screen.Split('\n').Select(line => line.TrimEnd())];
    }

    /// <summary>From now on, copies everything the program writes to the terminal (escape sequences included) to <see cref="OutputFile"/>.</summary>
    public Task RecordOutputAsync() => TmuxAsync(["pipe-pane", "-t", "t", "-o", $"cat >> '{OutputFile}'"]);

    /// <summary>Where <see cref="RecordOutputAsync"/> copies the program's output.</summary>
    public string OutputFile => Path.Combine(_directory, "output.log");

    /// <summary>A tmux format of the pane, e.g. <c>#{alternate_on}</c> (1 while the program uses the alternate screen) or <c>#{cursor_flag}</c>.</summary>
    public async Task<string> FormatAsync(string format) =>
        (await TmuxAsync(["display-message", "-p", "-t", "t", format])).Trim();

    /// <summary>Resizes the terminal, as when the user resizes the window.</summary>
    public Task ResizeAsync(int width, int height) => TmuxAsync(
        ["resize-window", "-t", "t", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>Polls the screen until <paramref name="condition"/> holds; fails the test with the last screen after <paramref name="limit"/>.</summary>
    public async Task<string[]> WaitForScreenAsync(Func<string[], bool> condition, string what, TimeSpan? limit = null)
    {
        var deadline = Stopwatch.StartNew();
        var bound = limit ?? TestTimeouts.Generous;
        while (true)
        {
            var screen = await CaptureAsync();
            if (condition(screen))
            {
                return screen;
            }

            if (deadline.Elapsed > bound)
            {
                Assert.Fail($"the terminal did not show {what} within {bound}; it shows:\n{string.Join('\n', screen)}");
            }

            await Task.Delay(PollInterval);
        }
    }

    private string ExitStatusFile => Path.Combine(_directory, "exit-status");

    /// <summary>Polls until the program has exited and returns its exit status.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? limit = null)
    {
        var deadline = Stopwatch.StartNew();
        var bound = limit ?? TestTimeouts.Generous;
        while (true)
        {
            var status = File.Exists(ExitStatusFile) ? (await File.ReadAllTextAsync(ExitStatusFile)).Trim() : string.Empty;
            if (status.Length > 0)
            {
                return int.Parse(status, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (deadline.Elapsed > bound)
            {
                Assert.Fail($"the program in the terminal did not exit within {bound}; the screen:\n{string.Join('\n', await CaptureAsync())}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Stops this session's tmux server (and the program, if it still runs) and removes the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await TmuxAsync(["kill-server"], check: false);
        }
        finally
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task<string> TmuxAsync(string[] arguments, bool check = true)
    {
        var result = await ScriptRunner.RunAsync("tmux", ["-S", _socket, .. arguments]);
        if (check && result.ExitCode != 0)
        {
            Assert.Fail($"tmux {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Stderr.Trim()}");
        }

        return result.Stdout;
    }
}
