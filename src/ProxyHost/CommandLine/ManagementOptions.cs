using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ProxyHost.Unix;

namespace ProxyHost.CommandLine;

/// <summary>Checks the management flags (-L, -P, --mcp-allow-uid) into <see cref="HostSettings"/>.</summary>
internal static class ManagementOptions
{
    /// <summary>The prefix of <c>-L unix:PATH</c>.</summary>
    public const string UnixPrefix = "unix:";

    /// <summary>The longest socket path in bytes: <c>sun_path</c> holds 108 bytes, the last one for the terminating NUL.</summary>
    public const int MaxSocketPathBytes = 107;

    /// <summary>Validates the management flags and adds them to <paramref name="settings"/>.</summary>
    /// <param name="options">The bound flags.</param>
    /// <param name="settings">The settings so far; replaced by a copy with the management settings.</param>
    /// <returns>Null when valid, or the one-line error naming the flag and the bad value.</returns>
    public static string? Apply(CommandLineOptions options, ref HostSettings settings)
    {
        EndPoint endpoint;
        if (options.ManagementAddress is { } text && text.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            if (options.ManagementPort is not null)
            {
                return "option '-P' does not apply to -L unix:PATH (a Unix socket has no port)";
            }

            if (ParseSocketPath(text[UnixPrefix.Length..], out var path) is { } pathError)
            {
                return pathError;
            }

            endpoint = new UnixDomainSocketEndPoint(path);
        }
        else
        {
            var address = HostSettings.DefaultManagementAddress;
            if (options.ManagementAddress is { } addressText && !ArgumentParser.TryParseAddress(addressText, out address))
            {
                return $"invalid address '{addressText}' for -L: expected an IPv4 or IPv6 address, or unix:PATH";
            }

            var port = HostSettings.DefaultManagementPort;
            if (options.ManagementPort is { } portText && !ArgumentParser.TryParsePort(portText, out port))
            {
                return $"invalid port '{portText}' for -P: expected 0..65535";
            }

            endpoint = new IPEndPoint(address!, port);
        }

        var uids = new SortedSet<uint>();
        var any = false;
        if (options.ManagementAllowUid is { } list && ParseAllowList(list, uids, out any) is { } listError)
        {
            return listError;
        }

        settings = settings with
        {
            ManagementEndPoint = endpoint,
            ManagementAllowedUids = [.. uids],
            ManagementAllowsAnyClient = any,
        };
        return null;
    }

    private static string? ParseSocketPath(string given, out string path)
    {
        path = "";
        if (given.Length == 0 || given.Contains('\0', StringComparison.Ordinal))
        {
            return "invalid value for -L: expected unix:PATH with a file path, e.g. unix:/run/socks5d/mcp.sock";
        }

        // Absolute from here on: the log, the removal at exit and mcpctl --socket all name the same file.
        path = Path.GetFullPath(given);
        var length = Encoding.UTF8.GetByteCount(path);
        if (length > MaxSocketPathBytes)
        {
            return $"invalid value for -L: the socket path {path} is {length} bytes; a Unix socket path is at most {MaxSocketPathBytes} bytes";
        }

        if (path.EndsWith('/'))
        {
            return $"invalid value for -L: unix:{given} names a directory; expected the socket's file path, e.g. unix:{given.TrimEnd('/')}/mcp.sock";
        }

        return null;
    }

    /// <summary>Parses "0,alice,1001" or "any": uids, user names (looked up now) and the word any, separated by commas.</summary>
    private static string? ParseAllowList(string list, SortedSet<uint> uids, out bool any)
    {
        any = false;
        foreach (var item in list.Split(','))
        {
            var text = item.Trim(' ');
            if (text == "any")
            {
                any = true;
                continue;
            }

            if (text.Length > 0 && text.All(char.IsAsciiDigit))
            {
                // As chown(1): all digits is a uid, even without an account. (uid_t)-1 is nobody's.
                if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) || uid == UnixAccounts.InvalidUid)
                {
                    return $"invalid uid '{text}' in --mcp-allow-uid: expected 0..{UnixAccounts.InvalidUid - 1}";
                }

                uids.Add(uid);
                continue;
            }

            if (text.Length == 0)
            {
                return "invalid value for --mcp-allow-uid: expected a comma-separated list of uids, user names or any (an entry is empty)";
            }

            if (!UnixAccounts.TryGetUid(text, out var named, out var problem))
            {
                return problem is null
                    ? $"invalid value '{text}' in --mcp-allow-uid: no such user"
                    : $"invalid value '{text}' in --mcp-allow-uid: cannot look the user up: {problem}";
            }

            uids.Add(named);
        }

        return null;
    }
}
