using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Mcp.Protocol;
using McpCli.Commands;
using Spectre.Console;

namespace McpCli.Watch;

/// <summary>
/// <c>watch</c>: a dashboard in the terminal's alternate screen, redrawn every second and at once when the terminal is
/// resized, until q, Ctrl-C or SIGTERM; the terminal is restored and the exit code is 0. A server that cannot be
/// reached at the start is one error line and the usual exit code, before the screen changes; a connection lost
/// later is shown on the dashboard and retried every second.
/// </summary>
internal sealed class WatchCommand
{
    /// <summary>How often the dashboard samples the server.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // Between samples the terminal size is checked this often, besides SIGWINCH, so a resize redraws at once.
    private static readonly TimeSpan ResizeCheck = TimeSpan.FromMilliseconds(100);

    private readonly Func<CancellationToken, Task<McpClient>> _connect;
    private readonly TextWriter _stderr;
    private readonly CommandSettings _settings;
    private readonly UserStatistics _users = new();
    private DateTimeOffset _sampledAt;

    /// <summary>Creates the command.</summary>
    public WatchCommand(Func<CancellationToken, Task<McpClient>> connect, TextWriter stderr, CommandSettings settings)
    {
        _connect = connect;
        _stderr = stderr;
        _settings = settings;
    }

    /// <summary>Runs the dashboard and returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            ErrorLine.Write(_stderr, "watch needs a terminal for its input and output; in scripts use 'mcpctl metrics --json'");
            return ExitCodes.Usage;
        }

        // The verbs' own error handling for the first contact: unreachable (69), refused (77), timed out, malformed.
        var probe = await new Probe(_connect, _stderr, _settings).RunAsync(cancellationToken).ConfigureAwait(false);
        if (probe != ExitCodes.Ok)
        {
            return probe;
        }

        Console.OutputEncoding = Encoding.UTF8;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Out = new AnsiConsoleOutput(Console.Out),
        });

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var wake = new SemaphoreSlim(0);
        var registrations = RegisterSignals(stop, wake);
        var treatControlC = Console.TreatControlCAsInput;
        try
        {
            // Ctrl-C arrives as a key (not SIGINT) while the dashboard reads keys; SIGINT from kill still stops it.
            Console.TreatControlCAsInput = true;
            StartKeyReader(stop);
            console.Cursor.Hide();
            console.AlternateScreen(() => LoopAsync(console, wake, stop.Token).GetAwaiter().GetResult());
        }
        finally
        {
            console.Cursor.Show();
            Console.TreatControlCAsInput = treatControlC;
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }

        return ExitCodes.Ok;
    }

    private static List<PosixSignalRegistration> RegisterSignals(CancellationTokenSource stop, SemaphoreSlim wake)
    {
        List<PosixSignalRegistration> registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            }),
        ];
        if (!OperatingSystem.IsWindows())
        {
            registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            }));
            registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => wake.Release()));
        }

        return registrations;
    }

    private static void StartKeyReader(CancellationTokenSource stop)
    {
        // ReadKey blocks and cannot be cancelled: a background thread, left blocked when the dashboard ends.
        var reader = new Thread(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var key = Console.ReadKey(intercept: true);
                    if (key.KeyChar is 'q' or 'Q' or '\u0003' || (key.Key == ConsoleKey.C && key.Modifiers.HasFlag(ConsoleModifiers.Control)))
                    {
                        stop.Cancel();
                        return;
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or ObjectDisposedException)
            {
                // No more keys to read (the terminal went away): the signals still stop the dashboard.
            }
        })
        {
            IsBackground = true,
            Name = "mcpctl watch keys",
        };
        reader.Start();
    }

    private async Task LoopAsync(IAnsiConsole console, SemaphoreSlim wake, CancellationToken token)
    {
        var history = new WatchHistory();
        var clock = Stopwatch.StartNew();
        McpClient? client = null;
        string? status = null;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var due = clock.Elapsed + Interval;
                (client, status) = await SampleAsync(client, history, clock, token).ConfigureAwait(false);
                if (token.IsCancellationRequested)
                {
                    break;
                }

                var size = Draw(console, history, status);
                while (!token.IsCancellationRequested && clock.Elapsed < due)
                {
                    var wait = due - clock.Elapsed;
                    try
                    {
                        await wake.WaitAsync(wait < ResizeCheck ? wait : ResizeCheck, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    if (TerminalSize() != size)
                    {
                        size = Draw(console, history, status);
                    }
                }
            }
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<(McpClient? Client, string? Status)> SampleAsync(McpClient? client, WatchHistory history, Stopwatch clock, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(_settings.Timeout);
        try
        {
            client ??= await _connect(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
            var metrics = await client.GetMetricsAsync(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
            var users = await _users.ReadAsync(client, timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
            history.Add(clock.Elapsed, metrics, users);
            _sampledAt = DateTimeOffset.UtcNow;
            return (client, null);
        }
        catch (Exception e) when (!token.IsCancellationRequested)
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            var reason = timeout.IsCancellationRequested ? $"no answer within {_settings.TimeoutText}" : Describe(e);
            return (null, $"connection to {_settings.Endpoint} lost: {reason}; retrying every second");
        }
        catch (OperationCanceledException)
        {
            return (client, null);
        }
    }

    private string Describe(Exception e) => e switch
    {
        McpException { InnerException: (IOException or SocketException) and var inner } => SocketErrorText.Describe(inner, _settings.SocketPath is not null),
        McpException mcp => ErrorLine.Clause(mcp.Message),
        IOException or SocketException => SocketErrorText.Describe(e, _settings.SocketPath is not null),
        _ => ErrorLine.Clause(e.Message),
    };

    private (int Width, int Height) Draw(IAnsiConsole console, WatchHistory history, string? status)
    {
        var size = TerminalSize();
        console.Clear(true);
        console.Write(Dashboard.Build(_settings.Endpoint, history, _sampledAt, status, size.Width, size.Height));
        return size;
    }

    private static (int Width, int Height) TerminalSize() => (Console.WindowWidth, Console.WindowHeight);

    /// <summary>The first GET_METRICS, with every verb's error handling; prints nothing on success.</summary>
    private sealed class Probe(Func<CancellationToken, Task<McpClient>> connect, TextWriter stderr, CommandSettings settings)
        : ClientCommand<McpMetrics>(connect, TextWriter.Null, stderr, settings)
    {
        protected override string Verb => "watch";

        protected override Task<McpMetrics> CallAsync(McpClient client, CancellationToken cancellationToken) =>
            client.GetMetricsAsync(cancellationToken);

        protected override void WriteText(McpMetrics result)
        {
        }

        protected override void WriteJson(McpMetrics result, Utf8JsonWriter json)
        {
        }
    }
}
