using System.Globalization;

namespace McpCli.Cli;

/// <summary>
/// A first pass over argv for what CommandLineParser 2.9.1 does not do: help and version on stdout,
/// options written before the verb (<c>mcpctl -P 9000 metrics</c>), and an option whose value is
/// missing (the parser silently keeps the default for a trailing <c>--port</c>).
/// </summary>
internal static class ArgumentScanner
{
    internal static readonly HashSet<string> ValueOptions = new(StringComparer.Ordinal)
    {
        "-H", "--host", "-P", "--port", "--timeout", "--socket",
    };

    /// <summary>Classifies <paramref name="args"/>.</summary>
    /// <exception cref="UsageException">No verb, an unknown verb, or an option without its value.</exception>
    public static Invocation Scan(IReadOnlyList<string> args)
    {
        // Options before the verb.
        var leading = new List<string>();
        var index = 0;
        var help = false;
        var version = false;
        while (index < args.Count && IsOption(args[index]))
        {
            var token = args[index++];
            if (token == "--")
            {
                break;
            }

            if (IsHelp(token))
            {
                help = true;
            }
            else if (token == "--version")
            {
                version = true;
            }
            else
            {
                leading.Add(token);
                if (ValueOptions.Contains(token))
                {
                    if (index >= args.Count || LooksLikeOption(args[index]))
                    {
                        throw new UsageException($"option '{token}' needs a value");
                    }

                    leading.Add(args[index++]);
                }
            }
        }

        if (help)
        {
            return new HelpInvocation(null);
        }

        if (version)
        {
            return new VersionInvocation();
        }

        if (index >= args.Count)
        {
            throw new UsageException("no verb given");
        }

        var name = args[index++];
        if (name == "help")
        {
            return index < args.Count ? new HelpInvocation(FindVerb(args[index])) : new HelpInvocation(null);
        }

        if (name == "completion")
        {
            return Completion(args.Skip(index).ToList());
        }

        var verb = FindVerb(name);
        var rest = args.Skip(index).ToList();
        for (var i = 0; i < rest.Count; i++)
        {
            var token = rest[i];
            if (token == "--")
            {
                break;
            }

            if (IsHelp(token))
            {
                return new HelpInvocation(verb);
            }

            if (ValueOptions.Contains(token))
            {
                if (i + 1 >= rest.Count || LooksLikeOption(rest[i + 1]))
                {
                    throw new UsageException($"option '{token}' needs a value", verb);
                }

                i++;
            }
        }

        return new RunInvocation(verb, [name, .. leading, .. rest]);
    }

    // mcpctl completion bash|zsh: no connection options, one operand.
    private static CompletionInvocation Completion(List<string> rest)
    {
        var shells = string.Join(" or ", CompletionScripts.Shells);
        if (rest.Count == 0)
        {
            throw new UsageException($"completion needs the shell: {shells}");
        }

        if (!CompletionScripts.Shells.Contains(rest[0], StringComparer.Ordinal))
        {
            throw new UsageException($"no completion script for '{Output.SafeText.Escape(rest[0])}'; there are scripts for {string.Join(" and ", CompletionScripts.Shells)}");
        }

        if (rest.Count > 1)
        {
            throw new UsageException($"unexpected argument '{Output.SafeText.Escape(rest[1])}'");
        }

        return new CompletionInvocation(rest[0]);
    }

    private static Type FindVerb(string name) =>
        VerbCatalog.Find(name) ?? throw new UsageException($"unknown verb '{name}'");

    private static bool IsHelp(string token) => token is "--help" or "-h";

    private static bool IsOption(string token) => token.Length > 1 && token[0] == '-';

    // "-1" is a (bad) value for --port that validation reports precisely, not a missing value.
    private static bool LooksLikeOption(string token) =>
        IsOption(token) && !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
