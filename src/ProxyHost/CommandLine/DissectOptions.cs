using System.Globalization;
using Socks.Core.Dissectors;

namespace ProxyHost.CommandLine;

/// <summary>
/// Checks <c>--dissect PROTO=PORTS</c> (repeatable) and its older POP3-only form <c>--pop3-ports LIST</c>
/// into the ports of each dissector. PORTS is a comma-separated list of ports 1..65535, <c>*</c> (also
/// detect the protocol by its first bytes on ports no dissector watches; POP3 and HTTP only), or
/// <c>none</c>. A protocol given replaces its defaults; a port given to one protocol is dropped from
/// the defaults of the others.
/// </summary>
internal static class DissectOptions
{
    /// <summary>The expected shape, for the error line.</summary>
    public const string Expected =
        "expected PROTO=PORTS, PROTO one of http, ftp, imap, pop3, smtp, PORTS a comma-separated list of ports 1..65535, * (pop3, http) or none";

    /// <summary>Validates the flags and adds the ports to <paramref name="settings"/>.</summary>
    /// <param name="options">The bound flags.</param>
    /// <param name="settings">The settings so far; replaced by a copy with the dissector ports.</param>
    /// <returns>Null when valid, or the one-line error naming the flag and the bad value.</returns>
    public static string? Apply(CommandLineOptions options, ref HostSettings settings)
    {
        var given = new Dictionary<DissectorProtocol, List<int>>();
        var sniff = new List<DissectorProtocol>();
        if (options.Pop3Ports is { } pop3)
        {
            if (!TryParsePorts(pop3, allowSpecial: false, out var ports, out _, out var bad))
            {
                return $"invalid port '{bad}' in --pop3-ports: expected a comma-separated list of ports 1..65535";
            }

            given[DissectorProtocol.Pop3] = ports;
        }

        foreach (var value in options.Dissect)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0 || !TryParseProtocol(value[..equals], out var protocol))
            {
                return $"invalid value '{value}' for --dissect: {Expected}";
            }

            if (given.ContainsKey(protocol))
            {
                return $"invalid value '{value}' for --dissect: the ports of {value[..equals]} are already given";
            }

            if (!TryParsePorts(value[(equals + 1)..], allowSpecial: true, out var ports, out var detect, out var bad))
            {
                return $"invalid port '{bad}' in --dissect {value}: {Expected}";
            }

            if (detect)
            {
                if (protocol is not (DissectorProtocol.Pop3 or DissectorProtocol.Http))
                {
                    return $"invalid port '*' in --dissect {value}: only pop3 and http can be detected on other ports";
                }

                sniff.Add(protocol);
            }

            if (Owner(given, ports) is { } clash)
            {
                return $"invalid value '{value}' for --dissect: port {clash.Port} is already dissected as {DissectorFactory.Name(clash.Protocol).ToLowerInvariant()}";
            }

            given[protocol] = ports;
        }

        var explicitPorts = given.Values.SelectMany(ports => ports).ToHashSet();
        var result = new SortedDictionary<DissectorProtocol, IReadOnlyList<int>>();
        foreach (var (protocol, defaults) in settings.DissectPorts)
        {
            result[protocol] = given.TryGetValue(protocol, out var ports) ? ports : [.. defaults.Where(port => !explicitPorts.Contains(port))];
        }

        settings = settings with { DissectPorts = result, DissectSniff = sniff.Count > 0 ? sniff : settings.DissectSniff };
        return null;
    }

    /// <summary>"110,1110", "*", "none": ports 1..65535 separated by commas, spaces around them allowed, duplicates ignored.</summary>
    private static bool TryParsePorts(string list, bool allowSpecial, out List<int> ports, out bool detect, out string? bad)
    {
        var parsed = new SortedSet<int>();
        ports = [];
        detect = false;
        bad = null;
        if (allowSpecial && list.Trim(' ') == "none")
        {
            return true;
        }

        foreach (var item in list.Split(','))
        {
            var text = item.Trim(' ');
            if (allowSpecial && text == "*")
            {
                detect = true;
                continue;
            }

            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                bad = text;
                return false;
            }

            parsed.Add(port);
        }

        ports = [.. parsed];
        return true;
    }

    private static bool TryParseProtocol(string text, out DissectorProtocol protocol)
    {
        (var known, protocol) = text switch
        {
            "http" => (true, DissectorProtocol.Http),
            "ftp" => (true, DissectorProtocol.Ftp),
            "imap" => (true, DissectorProtocol.Imap),
            "pop3" => (true, DissectorProtocol.Pop3),
            "smtp" => (true, DissectorProtocol.Smtp),
            _ => (false, DissectorProtocol.Http),
        };
        return known;
    }

    private static (int Port, DissectorProtocol Protocol)? Owner(Dictionary<DissectorProtocol, List<int>> given, List<int> ports)
    {
        foreach (var (protocol, taken) in given)
        {
            foreach (var port in ports)
            {
                if (taken.Contains(port))
                {
                    return (port, protocol);
                }
            }
        }

        return null;
    }
}
