using Mcp.Protocol;
using McpCli.Watch;
using Spectre.Console;

namespace McpCli.Tests.Watch;

/// <summary>
/// The frames of <c>mcpctl watch</c> drawn by Spectre.Console into text of a given width: the counters with their rates,
/// the graphs, and the per-user table sorted by traffic (the table the USER_STATS extension fills).
/// </summary>
public sealed class DashboardTests
{
    private static readonly McpMetrics Before = new(10, 1, 1000, 8, 1, 400);
    private static readonly McpMetrics After = new(14, 2, 1000 + (3 * 1024 * 1024), 12, 1, 400 + (1024 * 1024));

    [Test]
    public void History_TwoSamplesTwoSecondsApart_RatesArePerSecond()
    {
        var history = new WatchHistory();
        history.Add(TimeSpan.FromSeconds(1), Before, null);
        history.Add(TimeSpan.FromSeconds(3), After, null);

        history.ConnectionsPerSecond.Should().Be(2);
        history.SuccessfulPerSecond.Should().Be(2);
        history.FailedPerSecond.Should().Be(0);
        history.BytesPerSecond.Should().Be(1.5 * 1024 * 1024);
        history.ClientBytesPerSecond.Should().Be(512 * 1024);
        history.BytesHistory.Should().Equal(1.5 * 1024 * 1024);
    }

    [Test]
    public void History_CounterGoesDown_RateIsZeroNotNegative()
    {
        var history = new WatchHistory();
        history.Add(TimeSpan.FromSeconds(1), After, null);
        history.Add(TimeSpan.FromSeconds(2), Before, null);

        history.BytesPerSecond.Should().Be(0, "a restarted server starts its counters again");
    }

    [Test]
    public void Frame_CountersRatesGraphsAndNoUserStats()
    {
        var history = new WatchHistory();
        history.Add(TimeSpan.FromSeconds(1), Before, null);
        history.Add(TimeSpan.FromSeconds(2), After, null);

        var lines = Render(history, null, 90);

        lines[0].Should().StartWith("mcpctl watch 127.0.0.1:8080  12:34:56 UTC");
        lines.Should().Contain(l => l.StartsWith("│ Historical connections ", StringComparison.Ordinal) && l.Contains(" 14 │", StringComparison.Ordinal) && l.EndsWith("4.0/s │", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("│ Bytes transferred ", StringComparison.Ordinal) && l.Contains("3146728 (3.0 MiB)", StringComparison.Ordinal) && l.EndsWith("3.0 MiB/s │", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("bytes/s ", StringComparison.Ordinal) && l.EndsWith("█ 3.0 MiB/s", StringComparison.Ordinal));
        lines.Should().Contain(Dashboard.UsersNotSupported);
        lines.Should().OnlyContain(l => l.Length <= 90);
        lines.Single(l => l.StartsWith('╭')).Length.Should().Be(90, "the table spans the width");
    }

    [Test]
    public void Frame_Users_SortedByTrafficWithTheirRates()
    {
        var history = new WatchHistory();
        history.Add(TimeSpan.FromSeconds(1), Before, [User("alice", 100, 100), User("bob", 1000, 5000), User("carol", 0, 0)]);
        history.Add(TimeSpan.FromSeconds(2), After, [User("alice", 100, 2148), User("bob", 1000, 5000), User("carol", 0, 0), User("dave", 1, 1)]);

        var lines = Render(history, null, 100);

        lines.Should().NotContain(Dashboard.UsersNotSupported);
        var users = lines.Where(l => l.StartsWith("│ ", StringComparison.Ordinal) && (l.Contains("alice") || l.Contains("bob") || l.Contains("carol") || l.Contains("dave")))
            .Select(l => l.Split('│', StringSplitOptions.TrimEntries)[1]).ToList();
        users.Should().Equal(["bob", "alice", "dave", "carol"], "most traffic first");
        lines.Single(l => l.Contains("│ alice ", StringComparison.Ordinal)).Should().Contain("2148 (2.1 KiB)").And.Contain("2.0 KiB/s");
        history.Users!.Single(u => u.User.Name.SequenceEqual("dave"u8.ToArray())).DownPerSecond.Should().Be(0, "a user new in this sample has no rate yet");
    }

    [Test]
    public void Frame_ManyUsersOnASmallTerminal_ShowsWhatFitsAndSaysHowManyMore()
    {
        var history = new WatchHistory();
        history.Add(TimeSpan.FromSeconds(1), Before, [.. Enumerable.Range(0, 30).Select(i => User($"u{i:D2}", (ulong)i, 0))]);

        var lines = Render(history, null, 100, height: 25);

        lines.Count(l => l.StartsWith("│ u", StringComparison.Ordinal)).Should().Be(5);
        lines.Should().Contain(l => l.Contains("25 more users below; enlarge the terminal to see them", StringComparison.Ordinal));
    }

    [Test]
    public void Frame_Status_IsShownUnderTheCounters()
    {
        var history = new WatchHistory();
        history.Add(TimeSpan.FromSeconds(1), Before, null);

        Render(history, "connection to 127.0.0.1:8080 lost: connection refused; retrying every second", 100)
            .Should().Contain("connection to 127.0.0.1:8080 lost: connection refused; retrying every second");
    }

    [Test]
    public void Sparkline_ScalesToThePeakAndKeepsTheNewestOnTheRight()
    {
        Dashboard.Sparkline([0, 1, 2, 4, 8], 5).Should().Be("▁▂▃▅█");
        Dashboard.Sparkline([8, 0, 0], 6).Should().Be("   █▁▁");
        Dashboard.Sparkline([1, 2, 3, 4], 2).Should().Be("▆█");
        Dashboard.Sparkline([], 3).Should().Be("   ");
    }

    private static WatchUser User(string name, ulong up, ulong down) =>
        new(System.Text.Encoding.UTF8.GetBytes(name), 1, 2, up, down);

    private static string[] Render(WatchHistory history, string? status, int width, int height = 50)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = width;
        console.Profile.Capabilities.Unicode = true;
        console.Write(Dashboard.Build("127.0.0.1:8080", history, new DateTimeOffset(2026, 12, 4, 12, 34, 56, TimeSpan.Zero), status, width, height));
        return [.. writer.ToString().Split('\n').Select(l => l.TrimEnd())];
    }
}
