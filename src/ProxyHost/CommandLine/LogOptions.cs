namespace ProxyHost.CommandLine;

/// <summary>Checks the logging flags (--access-log, --credentials-log, --log-level, --log-format) into <see cref="HostSettings"/>; the dissector ports are <see cref="DissectOptions"/>.</summary>
internal static class LogOptions
{
    /// <summary>Validates the logging flags and adds them to <paramref name="settings"/>.</summary>
    /// <param name="options">The bound flags.</param>
    /// <param name="settings">The settings so far; replaced by a copy with the logging settings.</param>
    /// <returns>Null when valid, or the one-line error naming the flag and the bad value.</returns>
    public static string? Apply(CommandLineOptions options, ref HostSettings settings)
    {
        if (options.AccessLog is { Length: 0 })
        {
            return "invalid value '' for --access-log: expected a file path, or - for standard output";
        }

        if (options.CredentialsLog is { Length: 0 })
        {
            return "invalid value '' for --credentials-log: expected a file path, or - for standard output";
        }

        var level = settings.LogLevel;
        if (options.LogLevel is { } levelText && !TryParseLevel(levelText, out level))
        {
            return $"invalid value '{levelText}' for --log-level: expected trace, debug, information, warning, error or critical";
        }

        var json = settings.JsonLog;
        if (options.LogFormat is { } format)
        {
            if (format is not ("text" or "json"))
            {
                return $"invalid value '{format}' for --log-format: expected text or json";
            }

            json = format == "json";
        }

        settings = settings with
        {
            AccessLogPath = options.AccessLog ?? settings.AccessLogPath,
            CredentialsLogPath = options.CredentialsLog ?? settings.CredentialsLogPath,
            LogLevel = level,
            JsonLog = json,
        };
        return null;
    }

    /// <summary>The level names of Microsoft.Extensions.Logging, lower case, plus the usual short forms.</summary>
    private static bool TryParseLevel(string text, out Microsoft.Extensions.Logging.LogLevel level)
    {
        (var known, level) = text switch
        {
            "trace" => (true, Microsoft.Extensions.Logging.LogLevel.Trace),
            "debug" => (true, Microsoft.Extensions.Logging.LogLevel.Debug),
            "information" or "info" => (true, Microsoft.Extensions.Logging.LogLevel.Information),
            "warning" or "warn" => (true, Microsoft.Extensions.Logging.LogLevel.Warning),
            "error" => (true, Microsoft.Extensions.Logging.LogLevel.Error),
            "critical" => (true, Microsoft.Extensions.Logging.LogLevel.Critical),
            _ => (false, Microsoft.Extensions.Logging.LogLevel.Information),
        };
        return known;
    }
}
