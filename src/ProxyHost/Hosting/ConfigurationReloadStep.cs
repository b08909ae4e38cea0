using System.Collections;
using ProxyHost.CommandLine;
using Socks.Core.Dissectors;

namespace ProxyHost.Hosting;

/// <summary>
/// The SIGHUP step that reads the <c>--config</c> file (and the <c>SOCKS5D_*</c> environment) again, merged with the
/// command line exactly as at start (flags &gt; environment &gt; file &gt; defaults), and applies what a running process
/// can change. An invalid file changes nothing.
/// </summary>
/// <remarks>
/// Applied at once: <c>log-level</c>, <c>allow-all-destinations</c>, <c>no-dissector</c> (only when the file's value
/// changed, so a TOGGLE_DISECTOR over MCP stays until then). Every other key that changed is named as needing a restart
/// and keeps its running value, so the next SIGHUP names it again until socks5d is restarted. The timeouts are among
/// them: the engine copies them into each session's context and into its dialer when the server is created.
/// </remarks>
internal sealed class ConfigurationReloadStep
{
    /// <summary>The step's name in the SIGHUP line.</summary>
    public const string Name = "configuration";

    /// <summary>The keys a running socks5d applies.</summary>
    public static readonly IReadOnlySet<string> Reloadable = new HashSet<string>(StringComparer.Ordinal)
    {
        "allow-all-destinations", "log-level", "no-dissector",
    };

    private readonly string _path;
    private readonly Func<IDictionary> _environment;
    private readonly LogLevelSwitch _logLevel;
    private readonly SpecialDestinationsSwitch _destinations;
    private readonly DissectorSwitch _dissector;
    private HostSettings _running;

    /// <summary>Creates the step.</summary>
    /// <param name="running">The settings socks5d started with (<see cref="HostSettings.Arguments"/> set).</param>
    /// <param name="path">The <c>--config</c> file.</param>
    /// <param name="environment">Reads the environment variables.</param>
    /// <param name="logLevel">Where <c>log-level</c> goes.</param>
    /// <param name="destinations">Where <c>allow-all-destinations</c> goes.</param>
    /// <param name="dissector">Where <c>no-dissector</c> goes.</param>
    public ConfigurationReloadStep(HostSettings running, string path, Func<IDictionary> environment, LogLevelSwitch logLevel,
        SpecialDestinationsSwitch destinations, DissectorSwitch dissector)
    {
        _running = running;
        _path = path;
        _environment = environment;
        _logLevel = logLevel;
        _destinations = destinations;
        _dissector = dissector;
    }

    /// <summary>The configuration file named on the command line, or null when there is none (nothing to reload then).</summary>
    /// <param name="settings">The running settings.</param>
    /// <returns>The path as given.</returns>
    public static string? ConfigFileOf(HostSettings settings) =>
        ArgumentScanner.ValueOf(settings.Arguments, ArgumentScanner.ConfigOption);

    /// <summary>Reads, checks and applies.</summary>
    /// <returns>"/etc/socks5d/socks5d.json reloaded: log-level debug; needs a restart (running value kept): port", or why nothing changed.</returns>
    public ReloadStepResult Run()
    {
        var evaluation = ArgumentParser.Evaluate([.. _running.Arguments], _environment());
        if (evaluation.Error is { } error)
        {
            return ReloadStepResult.Failure($"{_path} not reloaded, the running configuration is kept: {error}");
        }

        var next = evaluation.Settings!;
        var changed = _running.EffectiveValues.Keys
            .Where(key => !next.EffectiveValues.TryGetValue(key, out var value) || value != _running.EffectiveValues[key])
            .Order(StringComparer.Ordinal)
            .ToList();
        if (!SameUsers(_running, next) && !changed.Contains("user"))
        {
            // A password changed in --users-from or -u: the key shows names only.
            changed.Add("user");
        }

        var applied = new List<string>();
        var values = new Dictionary<string, string>(_running.EffectiveValues, StringComparer.Ordinal);
        foreach (var key in changed.Where(Reloadable.Contains))
        {
            values[key] = next.EffectiveValues[key];
            switch (key)
            {
                case "log-level":
                    _logLevel.Level = next.LogLevel;
                    applied.Add($"log-level {next.LogLevel.ToString().ToLowerInvariant()}");
                    break;
                case "allow-all-destinations":
                    _destinations.AllowAll = next.AllowAllDestinations;
                    applied.Add($"allow-all-destinations {(next.AllowAllDestinations ? "true" : "false")}");
                    break;
                case "no-dissector":
                    _dissector.Enabled = next.DissectorEnabled;
                    applied.Add($"no-dissector {(next.DissectorEnabled ? "false (dissectors on)" : "true (dissectors off)")}");
                    break;
            }
        }

        _running = _running with
        {
            LogLevel = next.LogLevel,
            AllowAllDestinations = next.AllowAllDestinations,
            DissectorEnabled = next.DissectorEnabled,
            EffectiveValues = values,
        };

        var restart = changed.Where(key => !Reloadable.Contains(key)).ToList();
        var outcome = applied.Count == 0 ? $"{_path} reloaded: nothing to apply" : $"{_path} reloaded: {string.Join(", ", applied)}";
        if (restart.Count > 0)
        {
            outcome += restart.Count == 1
                ? $"; needs a restart (running value kept): {restart[0]}"
                : $"; need a restart (running values kept): {string.Join(", ", restart)}";
        }

        return ReloadStepResult.Done(outcome);
    }

    private static bool SameUsers(HostSettings a, HostSettings b) =>
        a.Users.Count == b.Users.Count
        && a.Users.Zip(b.Users).All(pair => pair.First.Username.AsSpan().SequenceEqual(pair.Second.Username)
            && pair.First.Password.AsSpan().SequenceEqual(pair.Second.Password));
}
