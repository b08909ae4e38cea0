using System.Globalization;
using System.Text;
using System.Text.Json;
using Mcp.Protocol;
using McpCli.Input;
using McpCli.Output;

namespace McpCli.Commands;

/// <summary>
/// <c>users</c>: USER_STATS (docs/mcp-protocol.md §13.1), a table of every user's statistics and limits, or JSON. When
/// the server is part of a fleet (it answers FLEET_USER_STATS, §13.6), the counters are the fleet's, each with this
/// node's share; a server that answers that CMD_NOT_SUPPORTED gets the single-node output.
/// </summary>
internal sealed class UsersCommand(Func<CancellationToken, Task<McpClient>> connect, TextWriter stdout, TextWriter stderr, CommandSettings settings)
    : ClientCommand<UsersCommand.Result>(connect, stdout, stderr, settings)
{
    private static readonly string[] Header = ["USER", "ACTIVE", "SESSIONS", "UP", "DOWN", "LAST LOGIN (UTC)", "DENIED", "MAX", "RATE UP", "RATE DOWN", "QUOTA"];

    private static readonly string[] FleetHeader =
        ["USER", "ACTIVE (NODE)", "SESSIONS (NODE)", "UP (NODE)", "DOWN (NODE)", "LAST LOGIN (UTC)", "DENIED (NODE)", "MAX", "RATE UP", "RATE DOWN", "QUOTA"];

    /// <inheritdoc />
    protected override string Verb => "users";

    /// <inheritdoc />
    protected override async Task<Result> CallAsync(McpClient client, CancellationToken cancellationToken)
    {
        var node = await client.GetUserStatsAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var fleet = await client.GetFleetUserStatsAsync(cancellationToken).ConfigureAwait(false);
            var byName = fleet.ToDictionary(static entry => Convert.ToBase64String(entry.Username.Span), StringComparer.Ordinal);
            return new Result(node, node.Select(entry => byName.GetValueOrDefault(Convert.ToBase64String(entry.Username.Span))).ToList());
        }
        catch (McpStatusException e) when (e.Status == McpStatus.CommandNotSupported)
        {
            // Not part of a fleet (or a server without the extension): the single-node output.
            return new Result(node, null);
        }
        catch (McpStatusException e) when (e.Status == McpStatus.Error)
        {
            // socks5d answers ERROR when Redis does not answer: this node's figures are still worth showing.
            ErrorLine.Write(Stderr, "warning: the fleet's totals are unavailable (the server answered ERROR to FLEET_USER_STATS: is Redis reachable?); showing this node's");
            return new Result(node, null);
        }
    }

    /// <summary>This node's entries and, from a fleet node, the fleet's entry of each (null where the fleet has none).</summary>
    internal sealed record Result(IReadOnlyList<McpUserStatsEntry> Node, IReadOnlyList<McpUserStatsEntry?>? Fleet);

    /// <inheritdoc />
    protected override void WriteText(Result result)
    {
        if (result.Node.Count == 0)
        {
            Stderr.WriteLine("no users");
            return;
        }

        var rows = new List<string[]> { result.Fleet is null ? Header : FleetHeader };
        for (var i = 0; i < result.Node.Count; i++)
        {
            var user = result.Node[i];
            var fleet = result.Fleet?[i];
            var limits = user.Limits;
            var lastLogin = fleet is null ? user.LastLogin : Math.Max(fleet.LastLogin, user.LastLogin);
            rows.Add(
            [
                SafeText.Escape(user.Username.Span),
                Counter(fleet?.ActiveSessions, user.ActiveSessions, result.Fleet is not null, Number),
                Counter(fleet?.Sessions, user.Sessions, result.Fleet is not null, Number),
                Counter(fleet?.BytesUp, user.BytesUp, result.Fleet is not null, LimitValues.FormatSize),
                Counter(fleet?.BytesDown, user.BytesDown, result.Fleet is not null, LimitValues.FormatSize),
                lastLogin == 0 ? "never" : DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(lastLogin, (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                Counter(fleet?.Denials, user.Denials, result.Fleet is not null, Number),
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
    protected override void WriteJson(Result result, Utf8JsonWriter json)
    {
        json.WriteStartArray("users");
        for (var i = 0; i < result.Node.Count; i++)
        {
            var user = result.Node[i];
            json.WriteStartObject();
            json.WriteString("user", Encoding.UTF8.GetString(user.Username.Span));
            // The single-node fields stay where they were (this node's), so scripts written for one node keep working.
            WriteCounters(json, user);
            json.WriteStartObject("limits");
            json.WriteNumber("maxSessions", user.Limits.MaxSessions);
            json.WriteNumber("rateUp", user.Limits.RateUp);
            json.WriteNumber("rateDown", user.Limits.RateDown);
            json.WriteNumber("quota", user.Limits.Quota);
            json.WriteString("period", PeriodName(user.Limits.Period));
            json.WriteEndObject();
            json.WriteNumber("quotaUsed", user.QuotaUsed);
            if (result.Fleet is { } fleet)
            {
                json.WriteStartObject("node");
                WriteCounters(json, user);
                json.WriteEndObject();
                if (fleet[i] is { } total)
                {
                    json.WriteStartObject("fleet");
                    WriteCounters(json, total);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNull("fleet");
                }
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteCounters(Utf8JsonWriter json, McpUserStatsEntry user)
    {
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
    }

    /// <summary>One counter: the node's alone, or the fleet's with this node's in brackets ("12 (3)").</summary>
    private static string Counter(ulong? fleet, ulong node, bool isFleet, Func<ulong, string> format) =>
        !isFleet ? format(node) : fleet is { } total ? $"{format(total)} ({format(node)})" : $"? ({format(node)})";

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
