namespace ProxyHost.Tests.Infrastructure;

/// <summary>Upper bounds only: a passing test never waits for them.</summary>
internal static class TestTimeouts
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    public const int TestMilliseconds = 90_000;
}
