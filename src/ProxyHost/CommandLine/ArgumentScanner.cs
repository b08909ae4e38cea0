namespace ProxyHost.CommandLine;

/// <summary>
/// Checks the shape of argv before CommandLineParser sees it, for the cases that parser gets wrong
/// or does not report: a value option with no value (trailing <c>-p</c>, or <c>-p -N</c>, which it
/// silently treats as "not given"), a single-valued option given twice, an unknown option.
/// Follows the POSIX utility conventions: grouped flags (<c>-vN</c>), attached values (<c>-p1080</c>,
/// <c>-Np1080</c>), <c>--name=value</c>, and <c>--</c> ending the options.
/// </summary>
internal static class ArgumentScanner
{
    private const string ShortFlags = "hvN";
    private const string ShortValues = "lpLPub";

    private static readonly Dictionary<string, char> LongToKey = new(StringComparer.Ordinal)
    {
        ["help"] = 'h',
        ["version"] = 'v',
        ["no-dissector"] = 'N',
        ["listen"] = 'l',
        ["port"] = 'p',
        ["mgmt-address"] = 'L',
        ["mgmt-port"] = 'P',
        ["user"] = 'u',
        ["allow-anonymous"] = 'a',
        ["allow-all-destinations"] = 'D',
        ["handshake-timeout"] = '1',
        ["connect-timeout"] = '2',
        ["idle-timeout"] = '3',
        ["drain-timeout"] = '4',
        ["max-connections"] = '5',
        ["users-file"] = 'F',
        ["max-users"] = 'M',
        ["access-log"] = 'A',
        ["credentials-log"] = 'C',
        ["pop3-ports"] = 'O',
        ["dissect"] = 'j',
        ["log-level"] = 'G',
        ["log-format"] = 'J',
        ["mcp-allow-uid"] = 'W',
        ["config"] = 'K',
        ["print-config"] = 'Q',
        ["users-from"] = 'U',
        ["metrics-listen"] = 'X',
        ["otlp-endpoint"] = 'Y',
        ["otlp-interval"] = 'Z',
        ["bind"] = 'B',
        ["outbound-address"] = 'b',
        ["no-bind"] = 'n',
        ["bind-timeout"] = 'k',
        ["udp"] = 'd',
        ["no-udp"] = 'e',
        ["udp-idle-timeout"] = '6',
        ["relay"] = 'y',
        ["rules"] = 'r',
        ["redis"] = 'R',
        ["redis-password-file"] = 'S',
        ["redis-tls"] = 'T',
        ["redis-prefix"] = 'V',
        ["redis-offline"] = 'E',
        ["redis-lease-time"] = 'H',
        ["redis-stats-interval"] = 'I',
        ["redis-tls-ca"] = 'c',
    };

    private static readonly Dictionary<char, string> KeyToLong = LongToKey.ToDictionary(pair => pair.Value, pair => pair.Key);

    // Keys of options that take a value; the rest are flags.
    private const string ValueKeys = "lpLPu123456ACOGJWKUXYZkjyrbRSVEHIc";

    // Keys of options that only the command line may give (not the configuration file or the environment).
    private const string CommandLineOnlyKeys = "hvKQ";

    // Keys of the user administration options that take a value (--users-file, --max-users).
    private const string UserValueKeys = "FM";

    // Keys that may be given more than once.
    private const string RepeatableKeys = "ujlb";

    /// <summary>The long option that names the configuration file.</summary>
    public const string ConfigOption = "config";

    /// <summary>Scans argv.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>Null when the shape is fine, or the one-line error to print.</returns>
    public static string? FindError(IReadOnlyList<string> args)
    {
        var seen = new Dictionary<char, string>();
        foreach (var occurrence in Occurrences(args))
        {
            if (occurrence.Error is not null)
            {
                return occurrence.Error;
            }

            if (Repeated(seen, occurrence.Key, occurrence.Display) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>The long names of the options given in argv, whichever form was used (<c>-p</c> counts as <c>port</c>).</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The names, without dashes.</returns>
    public static HashSet<string> GivenLongNames(IReadOnlyList<string> args) =>
        [.. Occurrences(args).Where(occurrence => occurrence.Error is null).Select(occurrence => KeyToLong[occurrence.Key])];

    /// <summary>The value of the first <c>--name VALUE</c> or <c>--name=VALUE</c> in argv.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="longName">The option's long name.</param>
    /// <returns>The value, or null when the option is not given (or given without a value).</returns>
    public static string? ValueOf(IReadOnlyList<string> args, string longName) =>
        Occurrences(args).FirstOrDefault(occurrence => occurrence.Error is null && KeyToLong[occurrence.Key] == longName).Value;

    /// <summary>The long name of a short option.</summary>
    /// <param name="shortName">The letter after the dash.</param>
    /// <returns>The long name, or null when there is no such option.</returns>
    public static string? LongNameOf(char shortName) =>
        ShortFlags.Contains(shortName, StringComparison.Ordinal) || ShortValues.Contains(shortName, StringComparison.Ordinal) ? KeyToLong[shortName] : null;

    /// <summary>Whether the option takes a value (otherwise it is a flag).</summary>
    /// <param name="longName">The option's long name.</param>
    /// <returns>True for a value option.</returns>
    public static bool TakesValue(string longName) => LongToKey.TryGetValue(longName, out var key) && IsValueKey(key);

    /// <summary>Whether the option may be given more than once.</summary>
    /// <param name="longName">The option's long name.</param>
    /// <returns>True for a repeatable option.</returns>
    public static bool IsRepeatable(string longName) =>
        LongToKey.TryGetValue(longName, out var key) && RepeatableKeys.Contains(key, StringComparison.Ordinal);

    /// <summary>Whether the option may be set in the configuration file and the environment (all but -h, -v, --config, --print-config).</summary>
    /// <param name="longName">The option's long name.</param>
    /// <returns>True when it is a configuration key.</returns>
    public static bool IsConfigurable(string longName) =>
        LongToKey.TryGetValue(longName, out var key) && !CommandLineOnlyKeys.Contains(key, StringComparison.Ordinal);

    /// <summary>The long names of the configuration keys, in order.</summary>
    public static IEnumerable<string> ConfigurableNames => LongToKey.Keys.Where(IsConfigurable).Order(StringComparer.Ordinal);

    private static bool IsValueKey(char key) =>
        ValueKeys.Contains(key, StringComparison.Ordinal) || UserValueKeys.Contains(key, StringComparison.Ordinal);

    /// <summary>Each option in argv, with its value, or the shape error found there (and nothing after it).</summary>
    private static IEnumerable<Occurrence> Occurrences(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                yield break;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var equals = arg.IndexOf('=', StringComparison.Ordinal);
                var name = equals < 0 ? arg[2..] : arg[2..equals];
                var display = "--" + name;
                if (!LongToKey.TryGetValue(name, out var key))
                {
                    yield return Occurrence.Failed($"unknown option '{display}'");
                    yield break;
                }

                string? value = null;
                if (IsValueKey(key))
                {
                    if (equals < 0 && !HasValueAt(args, i + 1))
                    {
                        yield return Occurrence.Failed($"option '{display}' requires a value");
                        yield break;
                    }

                    value = equals < 0 ? args[++i] : arg[(equals + 1)..];
                }
                else if (equals >= 0)
                {
                    yield return Occurrence.Failed($"option '{display}' does not take a value");
                    yield break;
                }

                yield return new Occurrence(key, display, value, null);
                continue;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                // An operand; socks5d takes none (reported after parsing).
                continue;
            }

            for (var j = 1; j < arg.Length; j++)
            {
                var c = arg[j];
                var display = "-" + c;
                if (ShortFlags.Contains(c, StringComparison.Ordinal))
                {
                    yield return new Occurrence(c, display, null, null);
                    continue;
                }

                if (!ShortValues.Contains(c, StringComparison.Ordinal))
                {
                    yield return Occurrence.Failed($"unknown option '{display}'");
                    yield break;
                }

                if (j < arg.Length - 1)
                {
                    // The rest of the token is the value.
                    yield return new Occurrence(c, display, arg[(j + 1)..], null);
                }
                else if (!HasValueAt(args, i + 1))
                {
                    yield return Occurrence.Failed($"option '{display}' requires a value");
                    yield break;
                }
                else
                {
                    yield return new Occurrence(c, display, args[++i], null);
                }

                break;
            }
        }
    }

    private static bool HasValueAt(IReadOnlyList<string> args, int index) =>
        index < args.Count && !(args[index].Length > 1 && args[index][0] == '-');

    private static string? Repeated(Dictionary<char, string> seen, char key, string display)
    {
        if (RepeatableKeys.Contains(key, StringComparison.Ordinal))
        {
            return null;
        }

        if (seen.TryGetValue(key, out var first))
        {
            return first == display
                ? $"option '{display}' given more than once"
                : $"option '{display}' given more than once (also as '{first}')";
        }

        seen[key] = display;
        return null;
    }

    /// <summary>One option found in argv: its key, the form it was given in, its value; or a shape error.</summary>
    private readonly record struct Occurrence(char Key, string Display, string? Value, string? Error)
    {
        public static Occurrence Failed(string error) => new('\0', string.Empty, null, error);
    }
}
