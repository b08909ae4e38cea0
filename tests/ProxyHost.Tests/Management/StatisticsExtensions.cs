using ProxyHost.Management;

namespace ProxyHost.Tests.Management;

internal static class StatisticsExtensions
{
    /// <summary>Waits (at most 30 s) until the counters satisfy <paramref name="condition"/>; no polling, no sleeping.</summary>
    public static async Task WaitUntilAsync(this McpManagementStatistics statistics, Func<McpManagementStatistics, bool> condition)
    {
        using var deadline = new CancellationTokenSource(RawMcpConnection.Timeout);
        while (true)
        {
            // Taken before the check, so a change between the check and the wait is not missed.
            var changed = statistics.WhenChanged;
            if (condition(statistics))
            {
                return;
            }

            await changed.WaitAsync(deadline.Token);
        }
    }
}
