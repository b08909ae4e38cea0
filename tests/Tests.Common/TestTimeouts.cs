namespace Tests.Common;

/// <summary>Upper bounds only: a passing test never waits for them.</summary>
public static class TestTimeouts
{
    /// <summary>The bound on one wait (a connect, a read, a process exit).</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>The bound on one test (<c>[CancelAfter]</c>): room for a few real processes on a loaded machine.</summary>
    public const int TestMilliseconds = 90_000;

    /// <summary>The bound on a test that moves a lot of data.</summary>
    public const int LongTestMilliseconds = 120_000;
}
