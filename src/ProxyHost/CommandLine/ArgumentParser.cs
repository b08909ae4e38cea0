using System.Collections;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using CommandLine;
using CommandLine.Text;
using Mcp.Protocol;
using Socks.Core;
using Socks.Core.Users;

namespace ProxyHost.CommandLine;

/// <summary>The result of parsing argv: settings to run with, or an exit status (help, version or error printed).</summary>
/// <param name="Settings">The settings, when the server should run.</param>
/// <param name="ExitCode">The status to exit with, when it should not.</param>
internal readonly record struct ParseOutcome(HostSettings? Settings, int ExitCode);

/// <summary>
/// Turns argv into <see cref="HostSettings"/>: CommandLineParser binds the flags, this class checks
/// every value and prints help, version, or one line naming the bad flag followed by the usage.
/// </summary>
internal static partial class ArgumentParser
{
    private const int MaxCredentialBytes = UserStore.MaxCredentialLength;

    /// <summary>How errors name a line of a <c>--users-from</c> file.</summary>
    private const string UsersFromLine = "--users-from (";

    /// <summary>The synopsis line of the usage.</summary>
    public const string Synopsis =
        "usage: socks5d [-h] [-v] [-N] [-l addr]... [-b addr]... [-p port] [-L addr|unix:path] [-P port] [-u user:pass]...\n" +
        "               [--allow-anonymous] [--handshake-timeout d] [--connect-timeout d] [--idle-timeout d]\n" +
        "               [--drain-timeout d] [--max-connections n] [--users-file path] [--max-users n]\n" +
        "               [--allow-all-destinations] [--rules file] [--access-log path] [--credentials-log path] [--pop3-ports list]\n" +
        "               [--dissect proto=ports]... [--log-level level] [--log-format text|json] [--mcp-allow-uid list]\n" +
        "               [--config file] [--print-config] [--users-from file]\n" +
        "               [--metrics-listen addr:port] [--otlp-endpoint url] [--otlp-interval d]\n" +
        "               [--bind | --no-bind] [--bind-timeout d]\n" +
        "               [--udp | --no-udp] [--udp-idle-timeout d] [--relay splice|user]\n" +
        "               [--redis host:port [--redis-password-file file] [--redis-tls] [--redis-prefix prefix]\n" +
        "                [--redis-offline serve|refuse] [--redis-lease-time d] [--redis-stats-interval d]\n" +
        "                [--redis-tls-ca file]]";

    /// <summary>Parses argv; prints help/version to <paramref name="stdout"/> and errors to <paramref name="stderr"/>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The outcome.</returns>
    public static ParseOutcome Parse(string[] args, TextWriter stdout, TextWriter stderr) =>
        Parse(args, Environment.GetEnvironmentVariables(), stdout, stderr);

    /// <summary>Parses argv with the configuration file it names and the <c>SOCKS5D_*</c> variables of <paramref name="environment"/>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="environment">The environment variables.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The outcome: exit status 64 for a bad command line, 78 for a bad configuration file or variable.</returns>
    public static ParseOutcome Parse(string[] args, IDictionary environment, TextWriter stdout, TextWriter stderr)
    {
        var evaluation = Evaluate(args, environment);
        if (evaluation.Error is { } error)
        {
            return evaluation.UsageError ? Fail(stderr, error) : FailConfiguration(stderr, error);
        }

        var options = evaluation.Options!;
        if (options.Help)
        {
            stdout.WriteLine(Usage());
            return new ParseOutcome(null, ExitCodes.Ok);
        }

        if (options.Version)
        {
            stdout.WriteLine($"socks5d {Version}");
            return new ParseOutcome(null, ExitCodes.Ok);
        }

        if (options.PrintConfig)
        {
            EffectiveConfiguration.Write(options, evaluation.Settings!, stdout);
            return new ParseOutcome(null, ExitCodes.Ok);
        }

        return new ParseOutcome(evaluation.Settings, ExitCodes.Ok);
    }

    /// <summary>
    /// Merges argv, the configuration file it names and the <c>SOCKS5D_*</c> variables, and checks the result, printing
    /// nothing: what <see cref="Parse(string[], IDictionary, TextWriter, TextWriter)"/> does at start and the SIGHUP
    /// configuration reload does again (<see cref="Hosting.ConfigurationReloadStep"/>).
    /// </summary>
    /// <param name="args">argv, as the process was started with.</param>
    /// <param name="environment">The environment variables.</param>
    /// <returns>
    /// The options and the settings (with <see cref="HostSettings.Arguments"/> and <see cref="HostSettings.EffectiveValues"/>
    /// set; not checked when <c>-h</c> or <c>-v</c> is given), or one line naming the problem and whether it is a usage
    /// error (exit 64) rather than a configuration error (exit 78).
    /// </returns>
    internal static Evaluation Evaluate(string[] args, IDictionary environment)
    {
        var argv = args;
        if (ArgumentScanner.FindError(args) is { } shapeError)
        {
            return Evaluation.Failed(shapeError, usageError: true);
        }

        var expansion = ConfigurationArguments.Expand(args, environment);
        if (expansion.Error is { } configurationError)
        {
            return Evaluation.Failed(configurationError, usageError: false);
        }

        args = expansion.Arguments;

        using var parser = CreateParser();
        var result = parser.ParseArguments<CommandLineOptions>(args);
        if (result is not Parsed<CommandLineOptions> parsed)
        {
            var first = result.Errors.FirstOrDefault();
            return Evaluation.Failed(first is null ? "invalid arguments" : Describe(first), usageError: true);
        }

        var options = parsed.Value;
        if (options.Help || options.Version)
        {
            return new Evaluation(options, null, null, false);
        }

        List<(string, string)> usersFromFile = [];
        if (options.UsersFrom is { } usersFrom && ReadUsersFrom(usersFrom, usersFromFile) is { } usersFromError)
        {
            return Evaluation.Failed(usersFromError, usageError: false);
        }

        var error = Validate(options, usersFromFile, out var hostSettings);
        if (error is not null)
        {
            // A bad value that came from the file or the environment, or a bad line of a --users-from file, is a
            // configuration error, named by its origin.
            return OriginOf(error, expansion.Origins) is { } origin
                ? Evaluation.Failed($"{error} (set in {origin})", usageError: false)
                : Evaluation.Failed(error, usageError: !error.Contains(UsersFromLine, StringComparison.Ordinal));
        }

        hostSettings = hostSettings with { Arguments = argv };
        hostSettings = hostSettings with { EffectiveValues = EffectiveConfiguration.Values(options, hostSettings) };
        return new Evaluation(options, hostSettings, null, false);
    }

    /// <summary>What <see cref="Evaluate"/> found.</summary>
    /// <param name="Options">The merged options, unless <paramref name="Error"/> is set.</param>
    /// <param name="Settings">The checked settings, unless <paramref name="Error"/> is set or help or version was asked for.</param>
    /// <param name="Error">One line naming the problem, or null.</param>
    /// <param name="UsageError">True when <paramref name="Error"/> is about the command line itself (exit 64, with the usage).</param>
    internal sealed record Evaluation(CommandLineOptions? Options, HostSettings? Settings, string? Error, bool UsageError)
    {
        /// <summary>A failed evaluation.</summary>
        /// <param name="error">The one line.</param>
        /// <param name="usageError">Whether it is a usage error.</param>
        /// <returns>The evaluation.</returns>
        public static Evaluation Failed(string error, bool usageError) => new(null, null, error, usageError);
    }

    /// <summary>Where the option an error message names was set, when not on the command line.</summary>
    private static string? OriginOf(string error, IReadOnlyDictionary<string, string> origins)
    {
        var mention = OptionMention().Match(error);
        if (!mention.Success)
        {
            return null;
        }

        var name = mention.Groups["long"].Success ? mention.Groups["long"].Value : ArgumentScanner.LongNameOf(mention.Groups["short"].Value[0]);
        return name is not null && origins.TryGetValue(name, out var origin) ? origin : null;
    }

    [GeneratedRegex(@"(?<![\w-])(?:--(?<long>[a-z0-9][a-z0-9-]*)|-(?<short>[a-zA-Z]))(?![\w-])")]
    private static partial Regex OptionMention();

    /// <summary>The version without build metadata, e.g. "0.1.0".</summary>
    public static string Version
    {
        get
        {
            var informational = typeof(ArgumentParser).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? informational : informational[..plus];
        }
    }

    /// <summary>The full usage: synopsis and one line per option.</summary>
    /// <returns>The text.</returns>
    public static string Usage()
    {
        var help = new HelpText
        {
            Heading = Synopsis,
            AddDashesToOption = true,
            AutoHelp = false,
            AutoVersion = false,
            AdditionalNewLineAfterOption = false,
            MaximumDisplayWidth = 100,
        };
        help.AddPostOptionsLine("DURATION is a number of seconds, or a number with ms, s, m or h (500ms, 1.5s, 15m).");
        help.AddPostOptionsLine("Exit status: 0 ok, 64 usage error, 69 cannot listen, 70 internal error,");
        help.AddPostOptionsLine("73 cannot open a log, 78 bad users file. See socks5d(8).");
        using var parser = CreateParser();
        help.AddOptions(parser.ParseArguments<CommandLineOptions>([]));
        return help.ToString().TrimEnd();
    }

    private static Parser CreateParser() => new(settings =>
    {
        // Help and version are ours (stdout for -h, stderr with errors); -u repeats; "--" ends options.
        settings.AutoHelp = false;
        settings.AutoVersion = false;
        settings.HelpWriter = null;
        settings.AllowMultiInstance = true;
        settings.EnableDashDash = true;
        settings.CaseSensitive = true;
        settings.IgnoreUnknownArguments = false;
    });

    private static ParseOutcome Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"socks5d: {message}");
        stderr.WriteLine(Synopsis);
        stderr.WriteLine("Run 'socks5d -h' for the options.");
        return new ParseOutcome(null, ExitCodes.Usage);
    }

    private static ParseOutcome FailConfiguration(TextWriter stderr, string message)
    {
        stderr.WriteLine($"socks5d: {message}");
        return new ParseOutcome(null, ExitCodes.Config);
    }

    private static string Describe(Error error) => error switch
    {
        UnknownOptionError unknown => $"unknown option '{(unknown.Token.Length == 1 ? "-" : "--")}{unknown.Token}'",
        MissingValueOptionError missing => $"option '{Name(missing.NameInfo)}' requires a value",
        BadFormatConversionError bad => $"invalid value for '{Name(bad.NameInfo)}'",
        RepeatedOptionError repeated => $"option '{Name(repeated.NameInfo)}' given more than once",
        BadFormatTokenError token => $"invalid argument '{token.Token}'",
        _ => $"invalid arguments ({error.Tag})",
    };

    private static string Name(NameInfo name) =>
        name.ShortName.Length > 0 ? "-" + name.ShortName : "--" + name.LongName;

    private static string? Validate(CommandLineOptions options, IReadOnlyList<(string User, string Where)> usersFromFile, out HostSettings settings)
    {
        settings = new HostSettings();
        if (options.Operands.FirstOrDefault() is { } operand)
        {
            return $"unexpected argument '{operand}'";
        }

        var listen = new List<IPAddress>();
        foreach (var listenText in options.ListenAddresses)
        {
            if (!TryParseAddress(listenText, out var address))
            {
                return $"invalid address '{listenText}' for -l: expected an IPv4 or IPv6 address";
            }

            if (listen.Contains(address!))
            {
                return $"invalid address '{listenText}' for -l: given more than once";
            }

            listen.Add(address!);
        }

        if (OutboundOptions.Parse(options.OutboundAddresses, out var outbound) is { } outboundError)
        {
            return outboundError;
        }

        var port = HostSettings.DefaultPort;
        if (options.Port is { } portText && !TryParsePort(portText, out port))
        {
            return $"invalid port '{portText}' for -p: expected 0..65535";
        }

        var users = new List<(byte[], byte[])>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in options.Users)
        {
            if (AddUser(user, $"-u (user {users.Count + 1})", users, names) is { } userError)
            {
                return userError;
            }
        }

        foreach (var (user, where) in usersFromFile)
        {
            if (AddUser(user, where, users, names) is { } userError)
            {
                return userError;
            }
        }

        var maxUsers = HostSettings.DefaultMaxUsers;
        if (options.MaxUsers is { } maxUsersText
            && (!int.TryParse(maxUsersText, NumberStyles.None, CultureInfo.InvariantCulture, out maxUsers) || maxUsers is < 1 or > McpConstants.MaxUsers))
        {
            return $"invalid value '{maxUsersText}' for --max-users: expected a whole number 1..{McpConstants.MaxUsers} (MCP LIST_USERS counts users in one byte)";
        }

        if (users.Count > maxUsers)
        {
            return $"too many users: {users.Count} given with -u, but --max-users is {maxUsers}";
        }

        if (options.UsersFile is { } usersFile && (usersFile.Length == 0 || usersFile.Contains('\0', StringComparison.Ordinal)))
        {
            return "invalid value for --users-file: expected a file path";
        }

        if (options.Udp && options.NoUdp)
        {
            return "--udp and --no-udp contradict each other: give one";
        }

        if (!TryDuration(options.HandshakeTimeout, "--handshake-timeout", SocksServerOptions.DefaultHandshakeTimeout, allowZero: false, out var handshake, out var error)
            || !TryDuration(options.ConnectTimeout, "--connect-timeout", SocksServerOptions.DefaultConnectTimeout, allowZero: false, out var connect, out error)
            || !TryDuration(options.IdleTimeout, "--idle-timeout", SocksServerOptions.DefaultIdleTimeout, allowZero: true, out var idle, out error)
            || !TryDuration(options.DrainTimeout, "--drain-timeout", HostSettings.DefaultDrainTimeout, allowZero: true, out var drain, out error)
            || !TryDuration(options.UdpIdleTimeout, "--udp-idle-timeout", SocksServerOptions.DefaultUdpIdleTimeout, allowZero: true, out var udpIdle, out error))
        {
            return error;
        }

        var maxConnections = 0;
        if (options.MaxConnections is { } maxText
            && (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out maxConnections)))
        {
            return $"invalid value '{maxText}' for --max-connections: expected a whole number 0..{int.MaxValue}";
        }

        IPEndPoint? metricsListen = null;
        if (options.MetricsListen is { } metricsText && !TryParseEndPoint(metricsText, out metricsListen))
        {
            return $"invalid value '{metricsText}' for --metrics-listen: expected ADDR:PORT, with an IPv4 address or [IPv6] and a port 0..65535";
        }

        Uri? otlp = null;
        if (options.OtlpEndpoint is { } otlpText
            && (!Uri.TryCreate(otlpText, UriKind.Absolute, out otlp) || otlp.Scheme is not ("http" or "https")))
        {
            return $"invalid value '{otlpText}' for --otlp-endpoint: expected an http:// or https:// URL";
        }

        if (!TryDuration(options.OtlpInterval, "--otlp-interval", HostSettings.DefaultOtlpInterval, allowZero: false, out var otlpInterval, out error))
        {
            return error;
        }

        if (options.Relay is { } relay && relay is not ("splice" or "user"))
        {
            return $"invalid value '{relay}' for --relay: expected splice or user";
        }

        settings = new HostSettings
        {
            KernelRelay = options.Relay is null ? HostSettings.DefaultKernelRelay : options.Relay == "splice",
            MetricsListen = metricsListen,
            OtlpEndpoint = otlp,
            OtlpInterval = otlpInterval,
            ListenAddresses = listen,
            OutboundAddresses = outbound,
            Port = port,
            Users = users,
            AllowAnonymous = options.AllowAnonymous,
            AllowAllDestinations = options.AllowAllDestinations,
            DissectorEnabled = !options.NoDissector,
            HandshakeTimeout = handshake,
            ConnectTimeout = connect,
            IdleTimeout = idle == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : idle,
            DrainTimeout = drain,
            UdpAssociate = !options.NoUdp,
            UdpIdleTimeout = udpIdle == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : udpIdle,
            MaxConnections = maxConnections,
            UsersFile = options.UsersFile,
            MaxUsers = maxUsers,
        };
        return ManagementOptions.Apply(options, ref settings) ?? LogOptions.Apply(options, ref settings) ?? DissectOptions.Apply(options, ref settings)
            ?? BindOptions.Apply(options, ref settings) ?? RulesOptions.Apply(options, ref settings)
            ?? RedisOptions.Apply(options, ref settings);
    }

    /// <summary>Checks one <c>user:pass</c> and adds it; never echoes the value, which holds a password.</summary>
    private static string? AddUser(string user, string where, List<(byte[], byte[])> users, HashSet<string> names)
    {
        var colon = user.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return $"invalid value for {where}: expected user:pass";
        }

        var name = Encoding.UTF8.GetBytes(user[..colon]);
        var password = Encoding.UTF8.GetBytes(user[(colon + 1)..]);
        if (name.Length is < 1 or > MaxCredentialBytes)
        {
            return $"invalid value for {where}: the user name must be 1..{MaxCredentialBytes} bytes of UTF-8, not {name.Length}";
        }

        if (password.Length is < 1 or > MaxCredentialBytes)
        {
            return $"invalid value for {where}: the password must be 1..{MaxCredentialBytes} bytes of UTF-8, not {password.Length}";
        }

        if (!names.Add(user[..colon]))
        {
            return $"invalid value for {where}: user '{user[..colon]}' given more than once";
        }

        users.Add((name, password));
        return null;
    }

    /// <summary>Reads a <c>--users-from</c> file: one <c>user:pass</c> per line; blank lines and # comments are skipped.</summary>
    private static string? ReadUsersFrom(string path, List<(string User, string Where)> users)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"cannot read --users-from {path}: {exception.Message}";
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length > 0 && line[0] != '#')
            {
                users.Add((line, $"{UsersFromLine}{path} line {i + 1})"));
            }
        }

        return null;
    }

    internal static bool TryDuration(string? text, string flag, TimeSpan defaultValue, bool allowZero, out TimeSpan value, out string? error)
    {
        error = null;
        value = defaultValue;
        if (text is null)
        {
            return true;
        }

        if (!Durations.TryParse(text, out value) || (!allowZero && value == TimeSpan.Zero))
        {
            error = $"invalid duration '{text}' for {flag}: expected {(allowZero ? "0 or more" : "more than 0")} seconds, or a number with ms, s, m or h, up to 49 days";
            return false;
        }

        return true;
    }

    /// <summary>ADDR:PORT with an address as <see cref="TryParseAddress"/> takes it (IPv6 in brackets) and a port.</summary>
    internal static bool TryParseEndPoint(string text, out IPEndPoint? endpoint)
    {
        endpoint = null;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || (text.Contains(':', StringComparison.Ordinal) && text.IndexOf(':', StringComparison.Ordinal) != colon && text[colon - 1] != ']'))
        {
            return false;
        }

        if (!TryParseAddress(text[..colon], out var address) || !TryParsePort(text[(colon + 1)..], out var port))
        {
            return false;
        }

        endpoint = new IPEndPoint(address!, port);
        return true;
    }

    /// <summary>A port 0..65535 in decimal digits.</summary>
    internal static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= IPEndPoint.MaxPort;

    /// <summary>An IPv4 address in dotted-quad form, or an IPv6 address (brackets optional).</summary>
    internal static bool TryParseAddress(string text, out IPAddress? address)
    {
        address = null;
        var trimmed = text.Length > 2 && text[0] == '[' && text[^1] == ']' ? text[1..^1] : text;
        if (trimmed.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(trimmed, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        // IPAddress.TryParse also takes "127.1" or "0x7f.0.0.1"; only the dotted-quad form is an address here.
        var parts = trimmed.Split('.');
        return parts.Length == 4
            && parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit))
            && IPAddress.TryParse(trimmed, out address);
    }
}
