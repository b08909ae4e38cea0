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
    private const string ShortValues = "lpLPu";

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
        ["dissect"] = 'X',
        ["log-level"] = 'G',
        ["log-format"] = 'J',
        ["mcp-allow-uid"] = 'W',
    };

    // Keys of options that take a value; the rest are flags.
    private const string ValueKeys = "lpLPu12345ACOXGJW";

    // Keys of the user administration options that take a value (--users-file, --max-users).
    private const string UserValueKeys = "FM";

    // Keys that may be given more than once.
    private const string RepeatableKeys = "uX";

    /// <summary>Scans argv.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>Null when the shape is fine, or the one-line error to print.</returns>
    public static string? FindError(IReadOnlyList<string> args)
    {
        var seen = new Dictionary<char, string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                return null;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var equals = arg.IndexOf('=', StringComparison.Ordinal);
                var name = equals < 0 ? arg[2..] : arg[2..equals];
                if (!LongToKey.TryGetValue(name, out var key))
                {
                    return $"unknown option '--{name}'";
                }

                var display = "--" + name;
                if (ValueKeys.Contains(key, StringComparison.Ordinal) || UserValueKeys.Contains(key, StringComparison.Ordinal))
                {
                    if (equals < 0 && !HasValueAt(args, i + 1))
                    {
                        return $"option '{display}' requires a value";
                    }

                    if (equals < 0)
                    {
                        i++;
                    }
                }
                else if (equals >= 0)
                {
                    return $"option '{display}' does not take a value";
                }

                if (Repeated(seen, key, display) is { } error)
                {
                    return error;
                }

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
                    if (Repeated(seen, c, display) is { } error)
                    {
                        return error;
                    }

                    continue;
                }

                if (!ShortValues.Contains(c, StringComparison.Ordinal))
                {
                    return $"unknown option '{display}'";
                }

                if (Repeated(seen, c, display) is { } repeated)
                {
                    return repeated;
                }

                if (j == arg.Length - 1)
                {
                    if (!HasValueAt(args, i + 1))
                    {
                        return $"option '{display}' requires a value";
                    }

                    i++;
                }

                // The rest of the token (or the next argument) is the value.
                break;
            }
        }

        return null;
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
}
