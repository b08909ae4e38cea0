using System.Text;
using System.Text.Json;
using Mcp.Protocol;
using McpCli.Input;
using McpCli.Output;

namespace McpCli.Commands;

/// <summary>
/// <c>set-limits</c>: GET_LIMITS, then SET_LIMITS with the limits given changed and the others kept (docs/mcp-protocol.md
/// §13.2, §13.3).
/// </summary>
internal sealed class SetLimitsCommand : ClientCommand<McpUserLimits>
{
    private readonly byte[] _user;
    private readonly string _displayName;
    private readonly Func<McpUserLimits, McpUserLimits> _change;

    /// <summary>Creates the command for a validated user name and the change to make.</summary>
    public SetLimitsCommand(Func<CancellationToken, Task<McpClient>> connect, TextWriter stdout, TextWriter stderr, CommandSettings settings, byte[] user, Func<McpUserLimits, McpUserLimits> change)
        : base(connect, stdout, stderr, settings)
    {
        _user = user;
        _displayName = SafeText.Escape(user);
        _change = change;
    }

    /// <inheritdoc />
    protected override string Verb => "set-limits";

    /// <inheritdoc />
    protected override async Task<McpUserLimits> CallAsync(McpClient client, CancellationToken cancellationToken)
    {
        var (current, _) = await client.GetLimitsAsync(_user, cancellationToken).ConfigureAwait(false);
        var limits = _change(current);
        await client.SetLimitsAsync(_user, limits, cancellationToken).ConfigureAwait(false);
        return limits;
    }

    /// <inheritdoc />
    protected override void WriteText(McpUserLimits result) => Stdout.WriteLine($"limits of user '{_displayName}': {Describe(result)}");

    /// <inheritdoc />
    protected override void WriteJson(McpUserLimits result, Utf8JsonWriter json)
    {
        json.WriteBoolean("ok", true);
        json.WriteString("user", Encoding.UTF8.GetString(_user));
        json.WriteNumber("maxSessions", result.MaxSessions);
        json.WriteNumber("rateUp", result.RateUp);
        json.WriteNumber("rateDown", result.RateDown);
        json.WriteNumber("quota", result.Quota);
        json.WriteString("period", UsersCommand.PeriodName(result.Period));
    }

    /// <inheritdoc />
    protected override string? DescribeStatus(McpStatus status) => status switch
    {
        McpStatus.UserNotFound => $"user '{_displayName}' does not exist (USER_NOT_FOUND)",
        McpStatus.Error => $"the server could not set the limits of user '{_displayName}' (ERROR)",
        McpStatus.CommandNotSupported => "the server does not support per-user limits (GET_LIMITS/SET_LIMITS are MCP extensions this server lacks) (CMD_NOT_SUPPORTED)",
        _ => null,
    };

    private static string Describe(McpUserLimits limits)
    {
        var sessions = limits.MaxSessions == 0 ? "no session limit" : $"at most {limits.MaxSessions} sessions";
        var up = limits.RateUp == 0 ? "unlimited" : LimitValues.FormatSize(limits.RateUp) + "/s";
        var down = limits.RateDown == 0 ? "unlimited" : LimitValues.FormatSize(limits.RateDown) + "/s";
        var quota = limits.Quota == 0 ? "no quota" : $"quota {LimitValues.FormatSize(limits.Quota)}/{UsersCommand.PeriodName(limits.Period)}";
        return $"{sessions}, up {up}, down {down}, {quota}";
    }
}
