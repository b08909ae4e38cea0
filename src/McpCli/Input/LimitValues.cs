using System.Globalization;
using Mcp.Protocol;

namespace McpCli.Input;

/// <summary>
/// The values of <c>set-limits</c>: counts, sizes with units (<c>kB</c> = 1000, <c>KiB</c> = 1024, up to <c>TB</c>/<c>TiB</c>),
/// rates (a size, optionally followed by <c>/s</c>) and quotas (a size followed by <c>/day</c> or <c>/month</c>).
/// <c>0</c> and <c>none</c> mean "no limit". A bad value is a <see cref="FormatException"/> whose message is the one line to print.
/// </summary>
internal static class LimitValues
{
    private static readonly (string Suffix, ulong Factor)[] Units =
    [
        ("KiB", 1UL << 10), ("MiB", 1UL << 20), ("GiB", 1UL << 30), ("TiB", 1UL << 40),
        ("kB", 1_000), ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
        ("B", 1),
    ];

    /// <summary>A session count: 0..2147483647, or none.</summary>
    public static uint Sessions(string text)
    {
        if (IsNone(text))
        {
            return 0;
        }

        if (text.Length is 0 or > 10 || text.AsSpan().ContainsAnyExceptInRange('0', '9')
            || !uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > int.MaxValue)
        {
            throw new FormatException($"--sessions: '{text}' is not a session count (a whole number from 0 to {int.MaxValue}, or none)");
        }

        return count;
    }

    /// <summary>A rate in bytes per second: <c>10MiB/s</c>, <c>500kB/s</c>, <c>1048576</c>; 0 or none.</summary>
    public static ulong Rate(string option, string text)
    {
        if (IsNone(text))
        {
            return 0;
        }

        var size = text.EndsWith("/s", StringComparison.Ordinal) ? text[..^2] : text;
        return TrySize(size, out var bytes)
            ? bytes
            : throw new FormatException($"{option}: '{text}' is not a rate (bytes per second with an optional unit and /s: 10MiB/s, 500kB/s, 1048576; or none)");
    }

    /// <summary>A quota: <c>50GiB/month</c>, <c>2GB/day</c>; 0 or none.</summary>
    public static (ulong Bytes, McpQuotaPeriod Period) Quota(string text)
    {
        if (IsNone(text))
        {
            return (0, McpQuotaPeriod.None);
        }

        var slash = text.LastIndexOf('/');
        var period = slash < 0 ? McpQuotaPeriod.None : text[(slash + 1)..] switch
        {
            "day" => McpQuotaPeriod.Day,
            "month" => McpQuotaPeriod.Month,
            _ => McpQuotaPeriod.None,
        };
        if (period == McpQuotaPeriod.None || !TrySize(text[..slash], out var bytes) || bytes == 0)
        {
            throw new FormatException($"--quota: '{text}' is not a quota (a size and a period, day or month: 50GiB/month, 2GB/day; or none)");
        }

        return (bytes, period);
    }

    /// <summary><c>10.0 MiB/s</c> style, for the table.</summary>
    public static string FormatSize(ulong bytes) => Output.ByteSize.Humanize(bytes) ?? bytes.ToString(CultureInfo.InvariantCulture) + " B";

    private static bool IsNone(string text) => text is "0" or "none";

    private static bool TrySize(string text, out ulong bytes)
    {
        bytes = 0;
        var factor = 1UL;
        var number = text;
        foreach (var (suffix, unit) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                factor = unit;
                number = text[..^suffix.Length];
                break;
            }
        }

        if (number.Length is 0 or > 24 || number.AsSpan().ContainsAnyExcept("0123456789.")
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        var total = value * factor;
        if (total > long.MaxValue || total != decimal.Truncate(total))
        {
            return false;
        }

        bytes = (ulong)total;
        return true;
    }
}
