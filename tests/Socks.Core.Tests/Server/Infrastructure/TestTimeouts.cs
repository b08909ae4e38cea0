namespace Socks.Core.Tests.Server.Infrastructure;

/// <summary>Upper bounds only: a passing test never waits for them.</summary>
internal static class TestTimeouts
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    public const int TestMilliseconds = 60_000;

    public const int LongTestMilliseconds = 120_000;
}
