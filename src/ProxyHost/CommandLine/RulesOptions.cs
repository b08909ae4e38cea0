namespace ProxyHost.CommandLine;

/// <summary>Checks --rules into <see cref="HostSettings"/>; the file itself is read at startup (docs/rules.md).</summary>
internal static class RulesOptions
{
    /// <summary>Validates --rules and adds it to <paramref name="settings"/>.</summary>
    /// <param name="options">The bound flags.</param>
    /// <param name="settings">The settings so far; replaced by a copy with the rules file.</param>
    /// <returns>Null when valid, or the one-line error.</returns>
    public static string? Apply(CommandLineOptions options, ref HostSettings settings)
    {
        if (options.Rules is { } path && (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal)))
        {
            return "invalid value for --rules: expected a file path";
        }

        settings = settings with { RulesFile = options.Rules };
        return null;
    }
}
