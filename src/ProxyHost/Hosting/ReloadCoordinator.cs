using Microsoft.Extensions.Logging;

namespace ProxyHost.Hosting;

/// <summary>
/// The ordered list of what a SIGHUP reloads. Each feature that can reload adds one step; on every SIGHUP the steps
/// run one after the other, in the order they were added, and the whole reload ends in ONE log line,
/// "SIGHUP received: NAME OUTCOME; NAME OUTCOME; ...", a warning when a step failed.
/// </summary>
/// <remarks>
/// <para>
/// Adding a step (in <see cref="SocksHost"/>, once the thing it reloads exists, before the server listens):
/// <code>
/// host.Services.GetRequiredService&lt;ReloadCoordinator&gt;().Add("rules file", () =&gt;
///     rules.TryReload(out var problem)
///         ? ReloadStepResult.Done($"{path} reloaded: {rules.Count} rules")
///         : ReloadStepResult.Failure($"{path} not reloaded, the old rules are kept: {problem}"));
/// </code>
/// </para>
/// <para>
/// Order today: access log, credentials log (<see cref="LogSinks"/>, added when the logs open), users file, then
/// configuration (<see cref="SocksHost"/>). Steps never run concurrently (a second SIGHUP waits for the first
/// reload to end) and always on a thread-pool thread, never on the signal thread. A step that throws is a bug of
/// ours: the exception is logged, the step is reported as "failed (see the error above)", and the others still run.
/// </para>
/// </remarks>
internal sealed class ReloadCoordinator
{
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _running = new(1, 1);
    private readonly List<(string Name, Func<ValueTask<ReloadStepResult>> Step)> _steps = [];

    /// <summary>Creates an empty list.</summary>
    /// <param name="logger">Where the summary line goes ("ProxyHost.Hosting.LogSinks", the category SIGHUP always logged under).</param>
    public ReloadCoordinator(ILogger logger)
    {
        _logger = logger;
    }

    /// <summary>The names of the steps, in the order they run.</summary>
    public IReadOnlyList<string> StepNames
    {
        get
        {
            lock (_lock)
            {
                return [.. _steps.Select(s => s.Name)];
            }
        }
    }

    /// <summary>Adds a step that runs after every step added before it.</summary>
    /// <param name="name">What it reloads, as the summary line names it: "users file", "rules file", "configuration".</param>
    /// <param name="step">Reloads, and says how it went; runs on a thread-pool thread.</param>
    public void Add(string name, Func<ReloadStepResult> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        AddAsyncStep(name, () => ValueTask.FromResult(step()));
    }

    /// <summary>Adds a step that has to wait for I/O (reopening a log); otherwise as <see cref="Add(string, Func{ReloadStepResult})"/>.</summary>
    /// <param name="name">What it reloads.</param>
    /// <param name="step">Reloads, and says how it went.</param>
    public void AddAsyncStep(string name, Func<ValueTask<ReloadStepResult>> step)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(step);
        lock (_lock)
        {
            _steps.Add((name, step));
        }
    }

    /// <summary>Runs every step in order and logs the one summary line.</summary>
    /// <returns>The line's text after "SIGHUP received: ", and whether a step failed.</returns>
    public async Task<(string Summary, bool Failed)> RunAsync()
    {
        // Off the signal thread at once: a step may block on a file.
        await Task.Yield();
        await _running.WaitAsync().ConfigureAwait(false);
        try
        {
            (string Name, Func<ValueTask<ReloadStepResult>> Step)[] steps;
            lock (_lock)
            {
                steps = [.. _steps];
            }

            var parts = new List<string>(steps.Length);
            var failed = false;
            foreach (var (name, step) in steps)
            {
                ReloadStepResult result;
                try
                {
                    result = await step().ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    Log.ReloadStepThrew(_logger, name, exception);
                    result = ReloadStepResult.Failure("failed (see the error above)");
                }

                failed |= result.Failed;
                parts.Add($"{name} {result.Outcome}");
            }

            var summary = parts.Count == 0 ? "nothing to reload" : string.Join("; ", parts);
            if (failed)
            {
                Log.ReloadedWithFailures(_logger, summary);
            }
            else
            {
                Log.Reloaded(_logger, summary);
            }

            return (summary, failed);
        }
        finally
        {
            _running.Release();
        }
    }
}
