using System.Collections;
using Microsoft.Extensions.Configuration;

namespace ProxyHost.CommandLine;

/// <summary>
/// Turns the configuration file (<c>--config FILE</c>, JSON) and the <c>SOCKS5D_*</c> environment variables into
/// command-line tokens placed before the real arguments, so that one parser and one set of checks serve all three.
/// Every long option is a key (<c>"max-connections": 500</c>, <c>SOCKS5D_MAX_CONNECTIONS=500</c>); a repeatable one
/// takes a JSON array (<c>"user": ["a:pw", "b:pw"]</c>, <c>SOCKS5D_USER__0=a:pw</c>); a flag takes true or false.
/// Precedence: a key given on the command line ignores the environment and the file; the environment beats the file.
/// </summary>
internal static class ConfigurationArguments
{
    /// <summary>The prefix of the environment variables read.</summary>
    public const string EnvironmentPrefix = "SOCKS5D_";

    /// <summary>What <see cref="Expand"/> made: the arguments to parse, and where each key given outside argv came from.</summary>
    /// <param name="Arguments">Tokens from the environment and the file, then argv.</param>
    /// <param name="Origins">Long option name to "SOCKS5D_X" or the file's path, for the keys taken from them.</param>
    /// <param name="Error">One line naming the file, variable or key that is wrong; null when all is well.</param>
    public sealed record Expansion(string[] Arguments, IReadOnlyDictionary<string, string> Origins, string? Error);

    /// <summary>Reads the file named by <c>--config</c> in <paramref name="args"/> (if any) and the environment.</summary>
    /// <param name="args">argv.</param>
    /// <param name="environment">The environment variables.</param>
    /// <returns>The expansion; on error, <see cref="Expansion.Error"/> is set and the arguments are argv.</returns>
    public static Expansion Expand(string[] args, IDictionary environment)
    {
        var origins = new Dictionary<string, string>(StringComparer.Ordinal);
        var fromCommandLine = ArgumentScanner.GivenLongNames(args);
        var values = new Dictionary<string, (IReadOnlyList<string> Values, string Origin)>(StringComparer.Ordinal);

        if (ArgumentScanner.ValueOf(args, ArgumentScanner.ConfigOption) is { } path)
        {
            if (ReadFile(path, values) is { } fileError)
            {
                return new Expansion(args, origins, fileError);
            }
        }

        if (ReadEnvironment(environment, values) is { } environmentError)
        {
            return new Expansion(args, origins, environmentError);
        }

        var tokens = new List<string>();
        foreach (var (name, (list, origin)) in values.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (fromCommandLine.Contains(name))
            {
                continue;
            }

            if (!ArgumentScanner.TakesValue(name))
            {
                if (!bool.TryParse(list[0], out var on))
                {
                    return new Expansion(args, origins, $"invalid value '{list[0]}' for {name} in {origin}: expected true or false");
                }

                if (on)
                {
                    tokens.Add("--" + name);
                    origins[name] = origin;
                }

                continue;
            }

            tokens.AddRange(list.Select(value => $"--{name}={value}"));
            origins[name] = origin;
        }

        return new Expansion([.. tokens, .. args], origins, null);
    }

    private static string? ReadFile(string path, Dictionary<string, (IReadOnlyList<string>, string)> values)
    {
        IConfigurationRoot root;
        if (!File.Exists(path))
        {
            return $"cannot read the configuration file {path}: no such file";
        }

        try
        {
            root = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false).Build();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
        {
            // The JSON reader's own error (with line and byte position) is the innermost exception.
            var innermost = exception;
            while (innermost.InnerException is { } inner)
            {
                innermost = inner;
            }

            var reason = innermost.Message;
            return $"cannot read the configuration file {path}: {OneLine(reason)}";
        }

        foreach (var section in root.GetChildren())
        {
            if (Collect(section, origin: path, display: $"key '{section.Key}' in {path}", values) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? ReadEnvironment(IDictionary environment, Dictionary<string, (IReadOnlyList<string>, string)> values)
    {
        var variables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string key && key.StartsWith(EnvironmentPrefix, StringComparison.Ordinal) && key != EnvironmentPrefix)
            {
                // SOCKS5D_USER__0 is element 0 of "user", as Microsoft.Extensions.Configuration reads environment variables.
                variables[key[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = entry.Value as string;
            }
        }

        var root = new ConfigurationBuilder().AddInMemoryCollection(variables).Build();
        foreach (var section in root.GetChildren())
        {
            var variable = EnvironmentPrefix + section.Key;
            if (Collect(section, origin: variable, display: $"environment variable {variable}", values) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>Checks one top-level key and records its values (replacing those of a source read before).</summary>
    private static string? Collect(IConfigurationSection section, string origin, string display, Dictionary<string, (IReadOnlyList<string>, string)> values)
    {
        var name = section.Key.ToLowerInvariant().Replace('_', '-');
        if (!ArgumentScanner.IsConfigurable(name))
        {
            return $"unknown {display}: no option --{name}";
        }

        var children = section.GetChildren().ToList();
        List<string> list;
        if (children.Count == 0)
        {
            if (section.Value is null || (section.Value.Length == 0 && ArgumentScanner.IsRepeatable(name)))
            {
                // JSON null: not set here; an empty JSON array reads as an empty value: no values.
                return null;
            }

            list = [section.Value];
        }
        else
        {
            if (!ArgumentScanner.IsRepeatable(name))
            {
                return $"invalid {display}: --{name} takes one value, not a list or an object";
            }

            // Array elements come as "0", "1", ...; anything else, or a nested value, is not a list of strings.
            var ordered = children.Select(child => (Index: int.TryParse(child.Key, out var index) ? index : -1, child)).ToList();
            if (ordered.Any(pair => pair.Index < 0 || pair.child.Value is null))
            {
                return $"invalid {display}: expected a list of strings";
            }

            list = [.. ordered.OrderBy(pair => pair.Index).Select(pair => pair.child.Value!)];
        }

        values[name] = (list, origin);
        return null;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
