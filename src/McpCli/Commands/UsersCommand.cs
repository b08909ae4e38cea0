using System.Globalization;
using System.Text;
using System.Text.Json;
using Mcp.Protocol;
using McpCli.Input;
using McpCli.Output;

namespace McpCli.Commands;

/// <summary><c>users</c>: USER_STATS (docs/mcp-protocol.md §13.1), a table of every user's statistics and limits, or JSON.</summary>
internal sealed class UsersCommand(Func<CancellationToken, Task<McpClient>> connect, TextWriter stdout, TextWriter stderr, CommandSettings settings)
    : ClientCommand<IReadOnlyList<McpUserStatsEntry>>(connect, stdout, stderr, settings)
{
    private static readonly string[] Header = ["USER", "ACTIVE", "SESSIONS", "UP", "DOWN", "LAST LOGIN (UTC)", "DENIED", "MAX", "RATE UP", "RATE DOWN", "QUOTA"];

    /// <inheritdoc />
    protected override string Verb => "users";

    /// <inheritdoc />
    protected override Task<IReadOnlyList<McpUserStatsEntry>> CallAsync(McpClient client, CancellationToken cancellationToken) =>
        client.GetUserStatsAsync(cancellationToken);

    /// <inheritdoc />
    protected override void WriteText(IReadOnlyList<McpUserStatsEntry> result)
    {
        if (result.Count == 0)
        {
            Stderr.WriteLine("no users");
            return;
        }

        var rows = new List<string[]> { Header };
        foreach (var user in result)
        {
            var limits = user.Limits;
            rows.Add(
            [
                SafeText.Escape(user.Username.Span),
                Number(user.ActiveSessions),
                Number(user.Sessions),
                LimitValues.FormatSize(user.BytesUp),
                LimitValues.FormatSize(user.BytesDown),
                user.LastLogin == 0 ? "never" : DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(user.LastLogin, (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                Number(user.Denials),
                limits.MaxSessions == 0 ? "-" : Number(limits.MaxSessions),
                limits.RateUp == 0 ? "-" : LimitValues.FormatSize(limits.RateUp) + "/s",
                limits.RateDown == 0 ? "-" : LimitValues.FormatSize(limits.RateDown) + "/s",
                limits.Quota == 0 ? "-" : $"{LimitValues.FormatSize(user.QuotaUsed)} of {LimitValues.FormatSize(limits.Quota)}/{PeriodName(limits.Period)}",
            ]);
        }

        var widths = Enumerable.Range(0, Header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            var line = new StringBuilder();
            for (var c = 0; c < row.Length; c++)
            {
                line.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            Stdout.WriteLine(line.ToString().TrimEnd());
        }
    }

    /// <inheritdoc />
    protected override void WriteJson(IReadOnlyList<McpUserStatsEntry> result, Utf8JsonWriter json)
    {
        json.WriteStartArray("users");
        foreach (var user in result)
        {
            json.WriteStartObject();
            json.WriteString("user", Encoding.UTF8.GetString(user.Username.Span));
            json.WriteNumber("activeSessions", user.ActiveSessions);
            json.WriteNumber("sessions", user.Sessions);
            json.WriteNumber("bytesUp", user.BytesUp);
            json.WriteNumber("bytesDown", user.BytesDown);
            if (user.LastLogin == 0)
            {
                json.WriteNull("lastLogin");
            }
            else
            {
                json.WriteNumber("lastLogin", user.LastLogin);
            }

            json.WriteNumber("denials", user.Denials);
            json.WriteStartObject("limits");
            json.WriteNumber("maxSessions", user.Limits.MaxSessions);
            json.WriteNumber("rateUp", user.Limits.RateUp);
            json.WriteNumber("rateDown", user.Limits.RateDown);
            json.WriteNumber("quota", user.Limits.Quota);
            json.WriteString("period", PeriodName(user.Limits.Period));
            json.WriteEndObject();
            json.WriteNumber("quotaUsed", user.QuotaUsed);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <inheritdoc />
    protected override string? DescribeStatus(McpStatus status) => status == McpStatus.CommandNotSupported
        ? "the server does not support per-user statistics (USER_STATS is an MCP extension this server lacks) (CMD_NOT_SUPPORTED)"
        : null;

    internal static string PeriodName(McpQuotaPeriod period) => period switch
    {
        McpQuotaPeriod.Day => "day",
        McpQuotaPeriod.Month => "month",
        _ => "none",
    };

    private static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
