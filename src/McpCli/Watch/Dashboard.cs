using System.Globalization;
using McpCli.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace McpCli.Watch;

/// <summary>
/// Draws one frame of <c>mcpctl watch</c> from the samples taken so far, for a terminal of a given size: the counters
/// with their rates, graphs of bytes and connections per second, and the per-user table sorted by traffic.
/// </summary>
internal static class Dashboard
{
    /// <summary>The line shown instead of the per-user table when the server has no USER_STATS.</summary>
    public const string UsersNotSupported = "per-user statistics: not supported by this server";

    private const string Levels = "▁▂▃▄▅▆▇█";

    /// <summary>Builds the frame.</summary>
    /// <param name="endpoint">Where the server is, as error lines name it.</param>
    /// <param name="history">The samples.</param>
    /// <param name="now">The wall-clock time of the latest sample.</param>
    /// <param name="status">A problem to show (connection lost, reconnecting), or null.</param>
    /// <param name="width">Terminal columns.</param>
    /// <param name="height">Terminal rows.</param>
    public static IRenderable Build(string endpoint, WatchHistory history, DateTimeOffset now, string? status, int width, int height)
    {
        var parts = new List<IRenderable>
        {
            new Markup($"[bold]mcpctl watch[/] {Markup.Escape(endpoint)}  {now.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC  [grey]every 1 s, q or Ctrl-C quits[/]"),
        };
        if (history.Current is not { } metrics)
        {
            parts.Add(new Text("waiting for the first sample..."));
            return new Rows(parts);
        }

        var counters = new Table().Expand().Border(TableBorder.Rounded).Title("counters")
            .AddColumn("Counter")
            .AddColumn(new TableColumn("Total").RightAligned())
            .AddColumn(new TableColumn("Rate").RightAligned());
        counters.AddRow("Historical connections", Count(metrics.HistoricalConnections), PerSecond(history.ConnectionsPerSecond));
        counters.AddRow("Concurrent connections", Count(metrics.ConcurrentConnections), "");
        counters.AddRow("Successful connections", Count(metrics.SuccessfulConnections), PerSecond(history.SuccessfulPerSecond));
        counters.AddRow("Failed connections", Count(metrics.FailedConnections), PerSecond(history.FailedPerSecond));
        counters.AddRow("Bytes transferred", Bytes(metrics.BytesTransferred), BytesPerSecond(history.BytesPerSecond));
        counters.AddRow("Client bytes", Bytes(metrics.ClientBytes), BytesPerSecond(history.ClientBytesPerSecond));
        parts.Add(counters);

        // The graphs take the width left after their label; the newest rate is on the right.
        var graphWidth = Math.Max(8, width - 34);
        parts.Add(new Markup($"bytes/s       [green]{Markup.Escape(Sparkline(history.BytesHistory, graphWidth))}[/] {Markup.Escape(BytesPerSecond(history.BytesPerSecond))}"));
        parts.Add(new Markup($"connections/s [blue]{Markup.Escape(Sparkline(history.ConnectionsHistory, graphWidth))}[/] {Markup.Escape(PerSecond(history.ConnectionsPerSecond))}"));

        if (history.Users is not { } users)
        {
            parts.Add(new Text(UsersNotSupported));
        }
        else
        {
            // What fits under the counters (title, 6 rows, borders, graphs, header lines): the rest is summarised.
            var room = Math.Max(1, height - 20);
            var table = new Table().Expand().Border(TableBorder.Rounded).Title("users by traffic")
                .AddColumn("User")
                .AddColumn(new TableColumn("Active").RightAligned())
                .AddColumn(new TableColumn("Sessions").RightAligned())
                .AddColumn(new TableColumn("Up").RightAligned())
                .AddColumn(new TableColumn("Down").RightAligned())
                .AddColumn(new TableColumn("Up/s").RightAligned())
                .AddColumn(new TableColumn("Down/s").RightAligned());
            foreach (var (user, up, down) in users.Take(room))
            {
                table.AddRow(
                    new Text(SafeText.Escape(user.Name)),
                    new Text(Count(user.ActiveSessions)),
                    new Text(Count(user.Sessions)),
                    new Text(Bytes(user.BytesUp)),
                    new Text(Bytes(user.BytesDown)),
                    new Text(BytesPerSecond(up)),
                    new Text(BytesPerSecond(down)));
            }

            if (users.Count == 0)
            {
                table.AddRow("(no users)", "", "", "", "", "", "");
            }
            else if (users.Count > room)
            {
                table.Caption($"{users.Count - room} more users below; enlarge the terminal to see them");
            }

            parts.Add(table);
        }

        if (status is not null)
        {
            parts.Add(new Markup($"[red]{Markup.Escape(status)}[/]"));
        }

        return new Rows(parts);
    }

    /// <summary>A graph of the last <paramref name="width"/> values, one block character each, scaled to their peak.</summary>
    internal static string Sparkline(IReadOnlyCollection<double> values, int width)
    {
        var shown = values.Skip(Math.Max(0, values.Count - width)).ToList();
        var peak = shown.Count == 0 ? 0 : shown.Max();
        var line = string.Concat(shown.Select(v => peak <= 0 ? Levels[0] : Levels[(int)Math.Round(v / peak * (Levels.Length - 1))]));
        return line.PadLeft(width, ' ');
    }

    private static string Count(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Bytes(ulong value) =>
        ByteSize.Humanize(value) is { } human ? $"{Count(value)} ({human})" : Count(value);

    private static string PerSecond(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + "/s";

    private static string BytesPerSecond(double value) =>
        (value < 1024 ? value.ToString("0", CultureInfo.InvariantCulture) + " B" : ByteSize.Humanize((ulong)value)) + "/s";
}
