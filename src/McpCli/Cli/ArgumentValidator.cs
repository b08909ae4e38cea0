using System.Globalization;
using System.Text;
using Mcp.Protocol;
using McpCli.Commands;
using McpCli.Options;

namespace McpCli.Cli;

/// <summary>Checks CommandLineParser does not make: ranges, lengths, leftovers.</summary>
internal static class ArgumentValidator
{
    /// <summary>RFC 1929 §2 and MCP memo §4.3: ULEN and PLEN are one byte, and zero is not a name.</summary>
    public const int MaxFieldBytes = McpConstants.MaxCredentialLength;

    /// <summary>The longest Unix socket path: <c>sun_path</c> holds 108 bytes, the last for the terminating NUL.</summary>
    public const int MaxSocketPathBytes = 107;

    /// <summary>Validates the options every verb shares.</summary>
    /// <exception cref="UsageException">A value is out of range or an argument is left over.</exception>
    public static CommandSettings Settings(CommonOptions options, Type verb)
    {
        var extra = options.Extra.FirstOrDefault();
        if (extra is not null)
        {
            throw new UsageException($"unexpected argument '{Output.SafeText.Escape(extra)}'", verb);
        }

        if (options.Host is { } given && string.IsNullOrWhiteSpace(given))
        {
            throw new UsageException("--host must not be empty", verb);
        }

        if (options.Port is < 1 or > 65535)
        {
            throw new UsageException(
                $"--port must be between 1 and 65535, got {options.Port.Value.ToString(CultureInfo.InvariantCulture)}", verb);
        }

        var socket = options.Socket;
        if (options.Host is { } host && host.StartsWith(CommonOptions.UnixPrefix, StringComparison.Ordinal))
        {
            if (socket is not null)
            {
                throw new UsageException("give the Unix socket either with --socket or with -H unix:PATH, not both", verb);
            }

            socket = host[CommonOptions.UnixPrefix.Length..];
        }
        else if (socket is not null && options.Host is not null)
        {
            throw new UsageException("give either --socket or --host, not both", verb);
        }

        if (socket is not null)
        {
            if (options.Port is not null)
            {
                throw new UsageException("--port does not apply to a Unix socket", verb);
            }

            if (socket.Length == 0 || socket.Contains('\0', StringComparison.Ordinal))
            {
                throw new UsageException("the Unix socket path must not be empty", verb);
            }

            var length = Encoding.UTF8.GetByteCount(socket);
            if (length > MaxSocketPathBytes)
            {
                throw new UsageException(
                    $"the Unix socket path is {length.ToString(CultureInfo.InvariantCulture)} bytes; the limit is {MaxSocketPathBytes.ToString(CultureInfo.InvariantCulture)}",
                    verb);
            }
        }

        var seconds = options.TimeoutSeconds;
        if (!double.IsFinite(seconds) || seconds <= 0 || seconds > CommonOptions.MaxTimeoutSeconds)
        {
            throw new UsageException(
                $"--timeout must be more than 0 and at most {CommonOptions.MaxTimeoutSeconds.ToString(CultureInfo.InvariantCulture)} seconds, got {seconds.ToString(CultureInfo.InvariantCulture)}",
                verb);
        }

        return new CommandSettings(
            options.Host ?? McpConstants.DefaultHost, options.Port ?? CommonOptions.DefaultPort, TimeSpan.FromSeconds(seconds), options.Json, socket);
    }

    /// <summary>The ACTION of <c>dissector</c>: null for <c>status</c>, the state wanted for <c>on</c> and <c>off</c>.</summary>
    /// <exception cref="UsageException">Any other word.</exception>
    public static bool? DissectorAction(string action, Type verb) => action switch
    {
        "status" => null,
        "on" => true,
        "off" => false,
        _ => throw new UsageException($"ACTION must be {string.Join(", ", DissectorOptions.Actions.SkipLast(1))} or {DissectorOptions.Actions[^1]}, got '{Output.SafeText.Escape(action)}'", verb),
    };

    /// <summary>Encodes a user name as UTF-8 and checks it is 1-255 bytes.</summary>
    /// <exception cref="UsageException">Empty or too long.</exception>
    public static byte[] UserName(string name, Type verb) => Field("user name", name, verb, showUsage: true);

    /// <summary>Encodes a password as UTF-8 and checks it is 1-255 bytes.</summary>
    /// <exception cref="UsageException">Empty or too long.</exception>
    public static byte[] Password(string password, Type verb, bool showUsage) => Field("password", password, verb, showUsage);

    private static byte[] Field(string what, string value, Type verb, bool showUsage)
    {
        if (value.Length == 0)
        {
            throw new UsageException($"the {what} must not be empty", verb, showUsage);
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > MaxFieldBytes)
        {
            throw new UsageException(
                $"the {what} is {bytes.Length.ToString(CultureInfo.InvariantCulture)} bytes in UTF-8; the limit is {MaxFieldBytes.ToString(CultureInfo.InvariantCulture)}",
                verb,
                showUsage);
        }

        return bytes;
    }
}
