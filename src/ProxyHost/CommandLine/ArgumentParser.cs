using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
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
internal static class ArgumentParser
{
    private const int MaxCredentialBytes = UserStore.MaxCredentialLength;

    /// <summary>The synopsis line of the usage.</summary>
    public const string Synopsis =
        "usage: socks5d [-h] [-v] [-N] [-l addr] [-p port] [-L addr|unix:path] [-P port] [-u user:pass]...\n" +
        "               [--allow-anonymous] [--handshake-timeout d] [--connect-timeout d] [--idle-timeout d]\n" +
        "               [--drain-timeout d] [--max-connections n] [--users-file path] [--max-users n]\n" +
        "               [--allow-all-destinations] [--access-log path] [--credentials-log path] [--pop3-ports list]\n" +
        "               [--dissect proto=ports]... [--log-level level] [--log-format text|json] [--mcp-allow-uid list]";

    /// <summary>Parses argv; prints help/version to <paramref name="stdout"/> and errors to <paramref name="stderr"/>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The outcome.</returns>
    public static ParseOutcome Parse(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (ArgumentScanner.FindError(args) is { } shapeError)
        {
            return Fail(stderr, shapeError);
        }

        using var parser = CreateParser();
        var result = parser.ParseArguments<CommandLineOptions>(args);
        if (result is not Parsed<CommandLineOptions> parsed)
        {
            var first = result.Errors.FirstOrDefault();
            return Fail(stderr, first is null ? "invalid arguments" : Describe(first));
        }

        var options = parsed.Value;
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

        var error = Validate(options, out var hostSettings);
        return error is null ? new ParseOutcome(hostSettings, ExitCodes.Ok) : Fail(stderr, error);
    }

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

    private static string? Validate(CommandLineOptions options, out HostSettings settings)
    {
        settings = new HostSettings();
        if (options.Operands.FirstOrDefault() is { } operand)
        {
            return $"unexpected argument '{operand}'";
        }

        IPAddress? listen = null;
        if (options.ListenAddress is { } listenText && !TryParseAddress(listenText, out listen))
        {
            return $"invalid address '{listenText}' for -l: expected an IPv4 or IPv6 address";
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
            // Never echo the value: it holds a password.
            var colon = user.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return $"invalid value for -u (user {users.Count + 1}): expected user:pass";
            }

            var name = Encoding.UTF8.GetBytes(user[..colon]);
            var password = Encoding.UTF8.GetBytes(user[(colon + 1)..]);
            if (name.Length is < 1 or > MaxCredentialBytes)
            {
                return $"invalid value for -u (user {users.Count + 1}): the user name must be 1..{MaxCredentialBytes} bytes of UTF-8, not {name.Length}";
            }

            if (password.Length is < 1 or > MaxCredentialBytes)
            {
                return $"invalid value for -u (user {users.Count + 1}): the password must be 1..{MaxCredentialBytes} bytes of UTF-8, not {password.Length}";
            }

            if (!names.Add(user[..colon]))
            {
                return $"invalid value for -u (user {users.Count + 1}): user '{user[..colon]}' given more than once";
            }

            users.Add((name, password));
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

        if (!TryDuration(options.HandshakeTimeout, "--handshake-timeout", SocksServerOptions.DefaultHandshakeTimeout, allowZero: false, out var handshake, out var error)
            || !TryDuration(options.ConnectTimeout, "--connect-timeout", SocksServerOptions.DefaultConnectTimeout, allowZero: false, out var connect, out error)
            || !TryDuration(options.IdleTimeout, "--idle-timeout", SocksServerOptions.DefaultIdleTimeout, allowZero: true, out var idle, out error)
            || !TryDuration(options.DrainTimeout, "--drain-timeout", HostSettings.DefaultDrainTimeout, allowZero: true, out var drain, out error))
        {
            return error;
        }

        var maxConnections = 0;
        if (options.MaxConnections is { } maxText
            && (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out maxConnections)))
        {
            return $"invalid value '{maxText}' for --max-connections: expected a whole number 0..{int.MaxValue}";
        }

        settings = new HostSettings
        {
            ListenAddress = listen,
            Port = port,
            Users = users,
            AllowAnonymous = options.AllowAnonymous,
            AllowAllDestinations = options.AllowAllDestinations,
            DissectorEnabled = !options.NoDissector,
            HandshakeTimeout = handshake,
            ConnectTimeout = connect,
            IdleTimeout = idle == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : idle,
            DrainTimeout = drain,
            MaxConnections = maxConnections,
            UsersFile = options.UsersFile,
            MaxUsers = maxUsers,
        };
        return ManagementOptions.Apply(options, ref settings) ?? LogOptions.Apply(options, ref settings) ?? DissectOptions.Apply(options, ref settings);
    }

    private static bool TryDuration(string? text, string flag, TimeSpan defaultValue, bool allowZero, out TimeSpan value, out string? error)
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
