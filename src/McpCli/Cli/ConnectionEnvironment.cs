using System.Globalization;
using System.Text;
using McpCli.Options;

namespace McpCli.Cli;

/// <summary>
/// <c>MCPCTL_HOST</c>, <c>MCPCTL_PORT</c> and <c>MCPCTL_SOCKET</c>: defaults for <c>--host</c>, <c>--port</c> and
/// <c>--socket</c> (docs/mcpctl.md, "Environment"). The command line wins: a variable is used only for an option the
/// command line does not settle, and only a variable that is used is checked.
/// </summary>
/// <remarks>
/// The transport is decided first: <c>--socket</c> or <c>-H unix:PATH</c> on the command line means the Unix socket
/// (every variable is then ignored); <c>-H HOST</c> or <c>-P PORT</c> means TCP (MCPCTL_SOCKET is ignored); with none
/// of them the variables decide. The values taken are then handed to the parser as the options they stand for, so
/// from there on they are checked like the options, after their own checks here, whose errors name the variable.
/// </remarks>
internal static class ConnectionEnvironment
{
    /// <summary>The default of <c>--host</c> (a host name or address, or <c>unix:PATH</c>).</summary>
    public const string HostVariable = "MCPCTL_HOST";

    /// <summary>The default of <c>--port</c>.</summary>
    public const string PortVariable = "MCPCTL_PORT";

    /// <summary>The default of <c>--socket</c>.</summary>
    public const string SocketVariable = "MCPCTL_SOCKET";

    /// <summary>Every variable, in the order help lists them.</summary>
    public static readonly string[] Variables = [HostVariable, PortVariable, SocketVariable];

    /// <summary>Adds the options the environment supplies to a verb's arguments.</summary>
    /// <param name="run">The invocation as the command line gives it; <see cref="RunInvocation.Args"/> starts with the verb.</param>
    /// <param name="environment">Reads a variable (null or empty: not set); null reads nothing.</param>
    /// <returns>The invocation to parse.</returns>
    /// <exception cref="UsageException">A variable that is used holds a bad value, or two used variables contradict each other.</exception>
    public static RunInvocation Apply(RunInvocation run, Func<string, string?>? environment)
    {
        if (environment is null)
        {
            return run;
        }

        var given = GivenOptions(run.Args);
        if (given.Socket || given.UnixHost)
        {
            return run;
        }

        var host = Read(environment, HostVariable);
        var port = Read(environment, PortVariable);
        var socket = Read(environment, SocketVariable);
        var added = new List<string>();
        if (!given.Host && !given.Port && socket is not null)
        {
            if (host is not null)
            {
                throw Error($"{SocketVariable} and {HostVariable} are both set; unset one of them, or give --socket or --host");
            }

            if (port is not null)
            {
                throw Error($"{PortVariable} does not apply to a Unix socket ({SocketVariable} is set); unset one of them");
            }

            added.AddRange(["--socket", CheckSocket(socket)]);
        }
        else
        {
            var unixHost = false;
            if (!given.Host && host is not null)
            {
                unixHost = host.StartsWith(CommonOptions.UnixPrefix, StringComparison.Ordinal);
                if (unixHost && given.Port)
                {
                    // -P on the command line means TCP: a Unix socket from the environment does not apply.
                    unixHost = false;
                }
                else
                {
                    added.AddRange(["--host", CheckHost(host)]);
                }
            }

            if (!given.Port && port is not null)
            {
                if (unixHost)
                {
                    throw Error($"{PortVariable} does not apply to a Unix socket ({HostVariable} is {CommonOptions.UnixPrefix}PATH); unset one of them");
                }

                added.AddRange(["--port", CheckPort(port)]);
            }
        }

        return added.Count == 0 ? run : run with { Args = [run.Args[0], .. added, .. run.Args.Skip(1)] };
    }

    private static string? Read(Func<string, string?> environment, string name) =>
        environment(name) is { Length: > 0 } value ? value : null;

    private static string CheckHost(string host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            throw Error($"{HostVariable} must be a host name or address, or unix:PATH; it holds only white space");
        }

        if (host.StartsWith(CommonOptions.UnixPrefix, StringComparison.Ordinal))
        {
            CheckSocketPath(host[CommonOptions.UnixPrefix.Length..], HostVariable);
        }

        return host;
    }

    private static string CheckPort(string port)
    {
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            throw Error($"{PortVariable} must be a port number 1-65535, got '{Output.SafeText.Escape(port)}'");
        }

        return number.ToString(CultureInfo.InvariantCulture);
    }

    private static string CheckSocket(string path)
    {
        CheckSocketPath(path, SocketVariable);
        return path;
    }

    private static void CheckSocketPath(string path, string variable)
    {
        if (path.Length == 0)
        {
            throw Error($"{variable}: the Unix socket path must not be empty");
        }

        var length = Encoding.UTF8.GetByteCount(path);
        if (length > ArgumentValidator.MaxSocketPathBytes)
        {
            throw Error(
                $"{variable}: the Unix socket path is {length.ToString(CultureInfo.InvariantCulture)} bytes; the limit is {ArgumentValidator.MaxSocketPathBytes.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    // The usage lines would not help: the command line is fine, the environment is not.
    private static UsageException Error(string message) => new(message, verb: null, showUsage: false);

    /// <summary>Which connection options the command line gives (before <c>--</c>), in any of their spellings.</summary>
    private static (bool Host, bool UnixHost, bool Port, bool Socket) GivenOptions(IReadOnlyList<string> args)
    {
        bool host = false, unixHost = false, port = false, socket = false;
        for (var i = 1; i < args.Count; i++)
        {
            var token = args[i];
            if (token == "--")
            {
                break;
            }

            string? hostValue = null;
            if (token is "-H" or "--host")
            {
                host = true;
                hostValue = i + 1 < args.Count ? args[++i] : null;
            }
            else if (token.StartsWith("--host=", StringComparison.Ordinal))
            {
                host = true;
                hostValue = token["--host=".Length..];
            }
            else if (token.StartsWith("-H", StringComparison.Ordinal))
            {
                host = true;
                hostValue = token[2..];
            }
            else if (token is "-P" or "--port")
            {
                port = true;
                i++;
            }
            else if (token.StartsWith("--port=", StringComparison.Ordinal) || (token.StartsWith("-P", StringComparison.Ordinal) && !token.StartsWith("--", StringComparison.Ordinal)))
            {
                port = true;
            }
            else if (token == "--socket")
            {
                socket = true;
                i++;
            }
            else if (token.StartsWith("--socket=", StringComparison.Ordinal))
            {
                socket = true;
            }
            else if (ArgumentScanner.ValueOptions.Contains(token))
            {
                // Another option's value (--timeout 5) is not an option of its own.
                i++;
            }

            if (hostValue is not null && hostValue.StartsWith(CommonOptions.UnixPrefix, StringComparison.Ordinal))
            {
                unixHost = true;
            }
        }

        return (host, unixHost, port, socket);
    }
}
