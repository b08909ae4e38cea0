using System.Globalization;
using System.Net;
using System.Text;

namespace Socks.Core.Access.Rules;

/// <summary>
/// A parsed, immutable rules file (docs/rules.md): an ordered list of <c>allow</c> and <c>deny</c> rules, the first
/// that matches decides, and a request that no rule matches is denied.
/// </summary>
/// <remarks>
/// Parsing does all the work (every address, name and port precompiled), so evaluating allocates nothing. Use it
/// through <see cref="AccessRulesPolicy"/>, which swaps sets atomically on reload.
/// </remarks>
public sealed class AccessRuleSet
{
    private const string Fields = "client, user, command, dest, port";

    private readonly AccessRule[] _rules;

    private AccessRuleSet(string path, AccessRule[] rules)
    {
        FilePath = path;
        _rules = rules;
    }

    /// <summary>The file the rules came from (or the name given to <see cref="Parse"/>).</summary>
    public string FilePath { get; }

    /// <summary>The number of rules.</summary>
    public int Count => _rules.Length;

    internal ReadOnlySpan<AccessRule> Rules => _rules;

    /// <summary>Reads and parses a rules file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The rules.</returns>
    /// <exception cref="AccessRulesException">The file cannot be read, or a line is not a rule (the message names the line).</exception>
    public static AccessRuleSet Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (FileNotFoundException exception)
        {
            throw new AccessRulesException(path, null, "no such file", exception);
        }
        catch (DirectoryNotFoundException exception)
        {
            throw new AccessRulesException(path, null, "no such directory", exception);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new AccessRulesException(path, null, "permission denied", exception);
        }
        catch (DecoderFallbackException exception)
        {
            throw new AccessRulesException(path, null, "not UTF-8 text", exception);
        }
        catch (IOException exception)
        {
            throw new AccessRulesException(path, null, exception.Message, exception);
        }

        return Parse(text, path);
    }

    /// <summary>Parses the text of a rules file.</summary>
    /// <param name="text">The text: one rule per line, <c>#</c> starts a comment.</param>
    /// <param name="path">The name used in error messages.</param>
    /// <returns>The rules.</returns>
    /// <exception cref="AccessRulesException">A line is not a rule (the message names the line).</exception>
    public static AccessRuleSet Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(path);
        var rules = new List<AccessRule>();
        var lineNumber = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = rawLine;
            var hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash];
            }

            line = line.Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            if (!TryParseRule(line.ToString(), lineNumber, out var rule, out var problem))
            {
                throw new AccessRulesException(path, lineNumber, problem);
            }

            rules.Add(rule);
        }

        return new AccessRuleSet(path, [.. rules]);
    }

    /// <summary>Evaluates the rules in order; the first that matches decides, none matching denies.</summary>
    /// <param name="input">The request as far as it is known.</param>
    /// <param name="line">The line of the deciding rule; 0 when no rule matched (the default deny) or when undecided.</param>
    /// <returns>The outcome.</returns>
    internal RuleOutcome Evaluate(in RuleInput input, out int line)
    {
        var client = RuleNetwork.ToValue(input.Client, out var clientV6);
        var v6 = false;
        var address = UInt128.Zero;
        if (input.Address is { } destination)
        {
            address = RuleNetwork.ToValue(destination, out v6);
        }

        var command = AccessRule.CommandBit(input.Command);
        foreach (var rule in _rules)
        {
            if (!rule.MatchesClient(clientV6, client)
                || !rule.MatchesUser(input.Authenticated, input.User)
                || (rule.Commands != 0 && (rule.Commands & command) == 0))
            {
                continue;
            }

            var destinationMatch = rule.MatchDestination(input, v6, address);
            if (destinationMatch == RuleOutcome.Deny)
            {
                continue;
            }

            var portMatch = rule.MatchPort(input);
            if (portMatch == RuleOutcome.Deny)
            {
                continue;
            }

            if (destinationMatch == RuleOutcome.Undecided || portMatch == RuleOutcome.Undecided)
            {
                line = 0;
                return RuleOutcome.Undecided;
            }

            line = rule.Line;
            return rule.Allow ? RuleOutcome.Allow : RuleOutcome.Deny;
        }

        line = 0;
        return RuleOutcome.Deny;
    }

    /// <summary>
    /// Whether some rule could allow an anonymous session from <paramref name="client"/>: an <c>allow</c> rule that
    /// takes the client and anonymous sessions, not preceded by an unconditional <c>deny</c> that takes them too.
    /// </summary>
    /// <param name="client">The client's address.</param>
    /// <returns>True when method X'00' may lead somewhere.</returns>
    internal bool MayAllowAnonymous(IPAddress client)
    {
        var value = RuleNetwork.ToValue(client, out var v6);
        foreach (var rule in _rules)
        {
            if (!rule.AdmitsAnonymous || !rule.MatchesClient(v6, value))
            {
                continue;
            }

            if (rule.Allow)
            {
                return true;
            }

            if (rule.IsUnconditional)
            {
                return false;
            }
        }

        return false;
    }

    private static bool TryParseRule(string line, int lineNumber, out AccessRule rule, out string problem)
    {
        rule = null!;
        problem = "";
        var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        bool allow;
        switch (words[0].ToLowerInvariant())
        {
            case "allow":
            case "pass":
                allow = true;
                break;
            case "deny":
            case "block":
                allow = false;
                break;
            default:
                problem = $"a rule starts with allow or deny, not '{words[0]}'";
                return false;
        }

        RuleNetwork[]? clients = null;
        byte[][]? users = null;
        bool anyUser = false, anonymous = false, userSeen = false;
        var commands = 0;
        var commandSeen = false;
        List<byte[]>? names = null;
        List<bool>? wildcards = null;
        List<RuleNetwork>? networks = null;
        var destinationSeen = false;
        (int, int)[]? ports = null;
        foreach (var word in words.AsSpan(1))
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == word.Length - 1)
            {
                problem = $"'{word}' is not FIELD=VALUE (fields: {Fields})";
                return false;
            }

            var field = word[..equals].ToLowerInvariant();
            var entries = word[(equals + 1)..].Split(',');
            if (Array.IndexOf(entries, "") >= 0)
            {
                problem = $"empty entry in '{word}'";
                return false;
            }

            bool seen;
            switch (field)
            {
                case "client":
                case "from":
                    seen = clients is not null;
                    if (!seen && !TryParseNetworks(entries, out clients, out problem))
                    {
                        return false;
                    }

                    break;
                case "user":
                case "users":
                    seen = userSeen;
                    userSeen = true;
                    var named = new List<byte[]>();
                    foreach (var entry in entries)
                    {
                        if (entry == "*")
                        {
                            anyUser = true;
                        }
                        else if (entry.Equals("anonymous", StringComparison.OrdinalIgnoreCase))
                        {
                            anonymous = true;
                        }
                        else if (Encoding.UTF8.GetByteCount(entry) > 255)
                        {
                            problem = $"user name '{entry[..16]}...' is longer than 255 bytes (RFC 1929)";
                            return false;
                        }
                        else
                        {
                            named.Add(Encoding.UTF8.GetBytes(entry));
                        }
                    }

                    users = named.Count > 0 ? [.. named] : null;
                    break;
                case "command":
                case "commands":
                    seen = commandSeen;
                    commandSeen = true;
                    foreach (var entry in entries)
                    {
                        var bit = entry.ToLowerInvariant() switch
                        {
                            "connect" => 1,
                            "bind" => 2,
                            "udp" or "udpassociate" => 4,
                            "resolve" => 8,
                            "*" => 15,
                            _ => 0,
                        };
                        if (bit == 0)
                        {
                            problem = $"unknown command '{entry}' (expected connect, bind, udp, resolve)";
                            return false;
                        }

                        commands |= bit;
                    }

                    break;
                case "dest":
                case "destination":
                case "to":
                    seen = destinationSeen;
                    destinationSeen = true;
                    if (!seen && !TryParseDestinations(entries, ref names, ref wildcards, ref networks, out problem))
                    {
                        return false;
                    }

                    break;
                case "port":
                case "ports":
                    seen = ports is not null;
                    if (!seen && !TryParsePorts(entries, out ports, out problem))
                    {
                        return false;
                    }

                    break;
                default:
                    problem = $"unknown field '{word[..equals]}' (fields: {Fields})";
                    return false;
            }

            if (seen)
            {
                problem = $"field '{field}' given twice";
                return false;
            }
        }

        rule = new AccessRule
        {
            Line = lineNumber,
            Allow = allow,
            Clients = clients,
            Users = users,
            AnyUser = anyUser,
            Anonymous = anonymous,
            Commands = commands == 15 ? 0 : commands,
            Names = names is null ? null : [.. names],
            Wildcards = wildcards is null ? null : [.. wildcards],
            Networks = networks is null ? null : [.. networks],
            Ports = ports,
        };
        return true;
    }

    private static bool TryParseNetworks(string[] entries, out RuleNetwork[]? networks, out string problem)
    {
        networks = null;
        problem = "";
        var list = new List<RuleNetwork>(entries.Length);
        foreach (var entry in entries)
        {
            if (entry == "*")
            {
                // Any client: the same as leaving the field out.
                networks = null;
                return true;
            }

            if (!RuleNetwork.TryParse(entry, out var network, out problem))
            {
                return false;
            }

            list.Add(network);
        }

        networks = [.. list];
        return true;
    }

    private static bool TryParseDestinations(string[] entries, ref List<byte[]>? names, ref List<bool>? wildcards, ref List<RuleNetwork>? networks, out string problem)
    {
        problem = "";
        foreach (var entry in entries)
        {
            if (entry == "*")
            {
                // Any destination: the same as leaving the field out.
                names = null;
                wildcards = null;
                networks = null;
                return true;
            }

            if (entry.Contains(':', StringComparison.Ordinal) || char.IsAsciiDigit(entry[^1]) || entry.Contains('/', StringComparison.Ordinal))
            {
                // An address or block: IPv6 has colons; an IPv4 address ends with a digit (no top-level domain does).
                if (!RuleNetwork.TryParse(entry, out var network, out problem))
                {
                    return false;
                }

                (networks ??= []).Add(network);
                continue;
            }

            var wildcard = entry.StartsWith("*.", StringComparison.Ordinal);
            var name = (wildcard ? entry[1..] : entry).TrimEnd('.');
            if (name.Length == 0 || (wildcard && name.Length < 2) || !IsHostName(wildcard ? name[1..] : name))
            {
                problem = $"'{entry}' is not a host name, *.domain, address or CIDR block";
                return false;
            }

            (names ??= []).Add(Encoding.ASCII.GetBytes(name.ToLowerInvariant()));
            (wildcards ??= []).Add(wildcard);
        }

        return true;
    }

    private static bool IsHostName(string name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
            {
                return false;
            }
        }

        return !name.StartsWith('.') && !name.Contains("..", StringComparison.Ordinal);
    }

    private static bool TryParsePorts(string[] entries, out (int Low, int High)[]? ports, out string problem)
    {
        ports = null;
        problem = "";
        var list = new List<(int, int)>(entries.Length);
        foreach (var entry in entries)
        {
            if (entry == "*")
            {
                ports = null;
                return true;
            }

            var dash = entry.IndexOf('-', StringComparison.Ordinal);
            var lowText = dash < 0 ? entry : entry[..dash];
            var highText = dash < 0 ? entry : entry[(dash + 1)..];
            if (!TryParsePort(lowText, out var low) || !TryParsePort(highText, out var high))
            {
                problem = $"'{entry}' is not a port 0..65535 or a range LOW-HIGH";
                return false;
            }

            if (low > high)
            {
                problem = $"port range '{entry}' ends before it starts";
                return false;
            }

            list.Add((low, high));
        }

        ports = [.. list];
        return true;
    }

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
}
