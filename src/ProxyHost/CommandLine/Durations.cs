using System.Globalization;

namespace ProxyHost.CommandLine;

/// <summary>Parses durations given on the command line: <c>30</c> (seconds), <c>1.5s</c>, <c>500ms</c>, <c>15m</c>, <c>1h</c>.</summary>
internal static class Durations
{
    /// <summary>The longest duration a timer takes (about 49 days).</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMilliseconds(uint.MaxValue - 2);

    /// <summary>Parses a non-negative duration.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The duration.</param>
    /// <returns>False when the text is not a duration or is out of range.</returns>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };

        if (number.Length == 0
            || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        var seconds = amount * scale;
        if (double.IsNaN(seconds) || seconds < 0 || seconds > Max.TotalSeconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
        return true;
    }

    /// <summary>Writes a duration the way <see cref="TryParse"/> reads it, in its largest whole unit (<c>15m</c>, <c>10s</c>, <c>500ms</c>).</summary>
    /// <param name="value">A non-negative duration.</param>
    /// <returns>The text.</returns>
    public static string Format(TimeSpan value) => value switch
    {
        _ when value > TimeSpan.Zero && value.Ticks % TimeSpan.TicksPerHour == 0 => string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalHours}h"),
        _ when value > TimeSpan.Zero && value.Ticks % TimeSpan.TicksPerMinute == 0 => string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalMinutes}m"),
        _ when value.Ticks % TimeSpan.TicksPerSecond == 0 => string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalSeconds}s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.###}ms"),
    };
}
