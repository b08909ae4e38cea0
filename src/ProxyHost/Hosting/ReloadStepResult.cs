namespace ProxyHost.Hosting;

/// <summary>
/// What one SIGHUP reload step did, as the words that follow the step's name in the one line the signal logs
/// ("users file" + " /var/lib/socks5d/users reloaded: 3 users (1 added, 1 removed, 0 changed)").
/// </summary>
/// <remarks>
/// A failed step must have changed nothing (the old state is kept); its text says what was wrong and that the old
/// state is kept. A failure turns the summary line into a warning; the other steps still run.
/// </remarks>
internal readonly struct ReloadStepResult
{
    private ReloadStepResult(string outcome, bool failed)
    {
        Outcome = outcome;
        Failed = failed;
    }

    /// <summary>The words after the step's name: short, one line, no secrets.</summary>
    public string Outcome { get; }

    /// <summary>True when the step changed nothing because the new state was not valid (or could not be read).</summary>
    public bool Failed { get; }

    /// <summary>The step applied the new state (or found nothing to change).</summary>
    /// <param name="outcome">"reopened at /var/log/socks5d/access.log", "unchanged", ...</param>
    /// <returns>The result.</returns>
    public static ReloadStepResult Done(string outcome) => new(outcome, failed: false);

    /// <summary>The step kept the old state.</summary>
    /// <param name="problem">"not reloaded, ... kept: users file /var/lib/socks5d/users: line 5: incomplete record".</param>
    /// <returns>The result.</returns>
    public static ReloadStepResult Failure(string problem) => new(problem, failed: true);
}
