using System.Reflection;
using CommandLine;
using CommandLine.Text;

namespace McpCli.Cli;

/// <summary>Help, usage and version text, built from the options attributes so they cannot drift.</summary>
internal static class HelpWriter
{
    internal const int Width = 80;

    /// <summary><c>mcpctl 0.1.0</c>: the informational version without build metadata.</summary>
    public static string Version
    {
        get
        {
            var version = typeof(HelpWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? typeof(HelpWriter).Assembly.GetName().Version?.ToString()
                ?? "0.0.0";
            var plus = version.IndexOf('+', StringComparison.Ordinal);
            return "mcpctl " + (plus >= 0 ? version[..plus] : version);
        }
    }

    /// <summary>The overview: verbs, options every verb takes, exit codes.</summary>
    public static void WriteGeneralHelp(TextWriter output)
    {
        output.WriteLine(Version);
        output.WriteLine("Command-line client for MCP, the management protocol of the socks5d SOCKS5 proxy.");
        output.WriteLine();
        output.WriteLine("Usage: mcpctl [OPTIONS] VERB [ARGUMENTS]");
        output.WriteLine("       mcpctl VERB --help");
        output.WriteLine("       mcpctl --version");
        output.WriteLine("       mcpctl completion bash|zsh   (prints the shell's completion script)");
        output.WriteLine();
        output.WriteLine("Options may come before or after the verb.");
        output.WriteLine();
        output.WriteLine("Verbs:");
        var verbs = NewHelpText();
        verbs.AddDashesToOption = false;
        verbs.AddVerbs(VerbCatalog.All);
        WriteTable(output, verbs);
        output.WriteLine();
        output.WriteLine("Options (every verb):");
        var options = NewHelpText();
        options.AutoHelp = true;
        options.AutoVersion = true;
        options.AddOptions(ResultFor(typeof(Options.MetricsOptions)));
        WriteTable(output, options);
        output.WriteLine();
        output.WriteLine("Environment (defaults for the options above; the command line wins):");
        output.WriteLine("  MCPCTL_HOST     like --host (a host, or unix:PATH)");
        output.WriteLine("  MCPCTL_PORT     like --port");
        output.WriteLine("  MCPCTL_SOCKET   like --socket; not together with MCPCTL_HOST or MCPCTL_PORT");
        output.WriteLine();
        output.WriteLine("Examples:");
        output.WriteLine("  mcpctl metrics");
        output.WriteLine("  mcpctl -H 10.0.0.1 -P 9090 list-users");
        output.WriteLine("  mcpctl --socket /run/socks5d/mcp.sock metrics");
        output.WriteLine("  mcpctl add-user alice                     (asks for the password)");
        output.WriteLine("  printf '%s\\n' \"$PW\" | mcpctl add-user --password-stdin alice");
        output.WriteLine("  mcpctl metrics --json");
        output.WriteLine("  mcpctl dissector off");
        output.WriteLine();
        WriteExitCodes(output);
    }

    /// <summary>One verb: usage line, description, its options and arguments, notes, exit codes.</summary>
    public static void WriteVerbHelp(TextWriter output, Type verb)
    {
        output.WriteLine(Version);
        output.WriteLine("Usage: " + VerbCatalog.UsageLine(verb));
        output.WriteLine();
        output.WriteLine(verb.GetCustomAttribute<VerbAttribute>()!.HelpText);
        output.WriteLine();
        output.WriteLine("Options and arguments:");
        var options = NewHelpText();
        options.AutoHelp = true;
        options.AddOptions(ResultFor(verb));
        WriteTable(output, options);
        output.WriteLine();
        foreach (var line in Notes(VerbCatalog.NameOf(verb)))
        {
            output.WriteLine(line);
        }

        WriteExitCodes(output);
    }

    /// <summary>The short usage after a usage error: the usage line and where to read more.</summary>
    public static void WriteShortUsage(TextWriter output, Type? verb)
    {
        if (verb is null)
        {
            output.WriteLine("Usage: mcpctl [OPTIONS] VERB [ARGUMENTS]");
            output.WriteLine("Verbs: " + string.Join(", ", VerbCatalog.All.Select(VerbCatalog.NameOf)));
            output.WriteLine("Try 'mcpctl --help' for more information.");
        }
        else
        {
            output.WriteLine("Usage: " + VerbCatalog.UsageLine(verb));
            output.WriteLine($"Try 'mcpctl {VerbCatalog.NameOf(verb)} --help' for more information.");
        }
    }

    private static void WriteExitCodes(TextWriter output)
    {
        output.WriteLine("Exit codes:");
        foreach (var (code, meaning) in ExitCodes.Table)
        {
            output.WriteLine($"  {code,-4}{meaning}");
        }
    }

    private static IEnumerable<string> Notes(string verb) => verb switch
    {
        "metrics" =>
        [
            "Prints one row per counter, in the order of the MCP memo (section 4.1); byte",
            "counts also in binary units (1 KiB = 1024 bytes).",
            "",
        ],
        "list-users" =>
        [
            "Prints nothing when the server has no users (and says so on stderr). Names that",
            "are not valid UTF-8 or hold control or invisible characters are shown escaped:",
            "\\xHH for each such byte (U+202E is \\xE2\\x80\\xAE), \\x5C for a backslash.",
            "",
        ],
        "add-user" =>
        [
            "The password, in order of preference:",
            "  - no PASSWORD: mcpctl asks twice on the terminal, without echo;",
            "  - --password-stdin: the first line of standard input, without its line break;",
            "  - PASSWORD argument: visible to other users of this machine (ps, shell",
            "    history), so use it only for throw-away passwords.",
            "If stdin is not a terminal, give --password-stdin or PASSWORD.",
            "MCP sends the password in clear text: use it over loopback or a trusted network.",
            "Exits 4 (USER_EXISTS) if the name is taken, 5 (USER_LIMIT) if the server holds",
            "as many users as it allows.",
            "",
        ],
        "remove-user" =>
        [
            "Exits 3 (USER_NOT_FOUND) if the server has no such user.",
            "",
        ],
        "users" =>
        [
            "One row per user: sessions open and since start, bytes each way, last login,",
            "requests refused, and the limits (- = none) with the quota used this period.",
            "USER_STATS is an MCP extension: a server without it exits 2 (CMD_NOT_SUPPORTED).",
            "On a fleet node (socks5d --redis, FLEET_USER_STATS) the counters are the fleet's",
            "totals with this node's share in brackets, e.g. SESSIONS (NODE) \"12 (3)\";",
            "--json adds \"node\" and \"fleet\" objects to each user.",
            "",
        ],
        "set-limits" =>
        [
            "Sizes take units kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB",
            "(powers of 1024); a rate may end in /s. 0 or none removes a limit; limits not",
            "given stay as they are. Example:",
            "  mcpctl set-limits alice --sessions 4 --rate 10MiB/s --quota 50GiB/month",
            "Exits 3 (USER_NOT_FOUND) if there is no such user, 2 (CMD_NOT_SUPPORTED) if",
            "the server lacks the limits extension.",
            "",
        ],
        "toggle-dissector" =>
        [
            "Prints 'dissector is now on' or 'dissector is now off'.",
            "",
        ],
        "dissector" =>
        [
            "status prints 'dissector is on' or 'dissector is off' and changes nothing;",
            "on and off print 'dissector is now on' or 'dissector is now off' (setting the",
            "state it already has is not an error). These use the MCP extensions",
            "GET_DISSECTOR (0x83) and SET_DISSECTOR (0x84): a server without them answers",
            "CMD_NOT_SUPPORTED, and mcpctl exits 2 saying so; toggle-dissector works with",
            "every MCP server.",
            "",
        ],
        "watch" =>
        [
            "Draws, in the terminal's alternate screen, the counters of 'metrics' with",
            "their rates, graphs of bytes and connections per second, and the users sorted",
            "by traffic (from the USER_STATS extension; a server without it gets a line",
            "saying so). Redraws every second and when the terminal is resized; q or",
            "Ctrl-C quits and restores the terminal (exit 0). A lost connection is shown and",
            "retried every second. Needs a terminal; a server that cannot be reached at the",
            "start is one error line, as for the other verbs.",
            "",
        ],
        _ => [],
    };

    private static HelpText NewHelpText() => new(string.Empty, string.Empty)
    {
        AdditionalNewLineAfterOption = false,
        MaximumDisplayWidth = Width,
        AddDashesToOption = true,
        AutoHelp = false,
        AutoVersion = false,
    };

    // HelpText reads a verb's options from a parser result whose current type is that verb;
    // parsing the bare verb name gives one (parsed, or not parsed for a missing USER).
    private static ParserResult<object> ResultFor(Type verb)
    {
        using var parser = App.CreateParser();
        return parser.ParseArguments([VerbCatalog.NameOf(verb)], VerbCatalog.All);
    }

    // HelpText renders leading and trailing blank lines for the empty heading and copyright.
    private static void WriteTable(TextWriter output, HelpText table)
    {
        var lines = table.ToString().Split('\n').Select(l => l.TrimEnd('\r', ' ')).ToList();
        var first = lines.FindIndex(l => l.Length > 0);
        var last = lines.FindLastIndex(l => l.Length > 0);
        for (var i = first; i >= 0 && i <= last; i++)
        {
            output.WriteLine(lines[i]);
        }
    }
}
