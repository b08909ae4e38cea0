using System.Net;
using System.Text;
using Socks.Core.Access.Rules;

namespace Socks.Core.Tests.Access.Rules;

/// <summary>The rules file format (docs/rules.md): parsing, its errors, and first-match evaluation of every field.</summary>
public sealed class AccessRuleSetTests
{
    [Test]
    public void Parse_CommentsBlankLinesAndTrailingComments_CountsOnlyRules()
    {
        var rules = AccessRuleSet.Parse("# header\n\n   \nallow client=10.0.0.0/8 # office\n\tdeny\n", "r.conf");

        rules.Count.Should().Be(2);
        rules.FilePath.Should().Be("r.conf");
        rules.Rules[0].Line.Should().Be(4);
        rules.Rules[1].Line.Should().Be(5);
    }

    [TestCase("permit", "line 1: a rule starts with allow or deny, not 'permit'")]
    [TestCase("allow dst=1.2.3.4", "line 1: unknown field 'dst' (fields: client, user, command, dest, port)")]
    [TestCase("allow client", "line 1: 'client' is not FIELD=VALUE (fields: client, user, command, dest, port)")]
    [TestCase("allow client=10.0.0.1/8", "line 1: '10.0.0.1/8' has bits set after the /8 prefix (write 10.0.0.0/8)")]
    [TestCase("allow client=10.0.0.0/33", "line 1: '10.0.0.0/33' has a bad prefix length (0..32 for IPv4)")]
    [TestCase("allow client=office", "line 1: 'office' is not an address or CIDR block")]
    [TestCase("allow command=ping", "line 1: unknown command 'ping' (expected connect, bind, udp, resolve)")]
    [TestCase("allow port=80,http", "line 1: 'http' is not a port 0..65535 or a range LOW-HIGH")]
    [TestCase("allow port=90-80", "line 1: port range '90-80' ends before it starts")]
    [TestCase("allow port=70000", "line 1: '70000' is not a port 0..65535 or a range LOW-HIGH")]
    [TestCase("allow dest=exa mple.com", "line 1: 'mple.com' is not FIELD=VALUE (fields: client, user, command, dest, port)")]
    [TestCase("allow dest=foo*.com", "line 1: 'foo*.com' is not a host name, *.domain, address or CIDR block")]
    [TestCase("allow port=80 port=443", "line 1: field 'port' given twice")]
    [TestCase("allow user=a,,b", "line 1: empty entry in 'user=a,,b'")]
    public void Parse_BadLine_NamesFileLineAndProblem(string line, string expected)
    {
        var parse = () => AccessRuleSet.Parse(line, "/etc/socks5d/rules.conf");

        var error = parse.Should().Throw<AccessRulesException>().Which;
        error.Message.Should().Be("rules file /etc/socks5d/rules.conf: " + expected);
        error.LineNumber.Should().Be(1);
        error.FilePath.Should().Be("/etc/socks5d/rules.conf");
    }

    [Test]
    public void Parse_ErrorOnALaterLine_NamesThatLine()
    {
        var parse = () => AccessRuleSet.Parse("allow\n# two\n\ndeny port=x\n", "r");

        parse.Should().Throw<AccessRulesException>().Which.LineNumber.Should().Be(4);
    }

    [Test]
    public void Load_MissingFile_NamesTheFile()
    {
        var load = () => AccessRuleSet.Load("/nonexistent-dir-rules/rules.conf");

        load.Should().Throw<AccessRulesException>().WithMessage("rules file /nonexistent-dir-rules/rules.conf: no such directory");
    }

    [Test]
    public void Evaluate_NoRuleMatches_DeniesByDefaultWithLineZero()
    {
        var rules = AccessRuleSet.Parse("allow client=10.0.0.0/8", "r");

        Evaluate(rules, Connect("192.0.2.1", "198.51.100.1", 80), out var line).Should().Be(RuleOutcome.Deny);
        line.Should().Be(0);
    }

    [Test]
    public void Evaluate_EmptyFile_DeniesEverything() =>
        Evaluate(AccessRuleSet.Parse("# nothing\n", "r"), Connect("127.0.0.1", "127.0.0.1", 80), out _).Should().Be(RuleOutcome.Deny);

    [Test]
    public void Evaluate_FirstMatchWins()
    {
        var rules = AccessRuleSet.Parse("deny port=25\nallow\ndeny\n", "r");

        Evaluate(rules, Connect("127.0.0.1", "192.0.2.1", 25), out var line).Should().Be(RuleOutcome.Deny);
        line.Should().Be(1);
        Evaluate(rules, Connect("127.0.0.1", "192.0.2.1", 80), out line).Should().Be(RuleOutcome.Allow);
        line.Should().Be(2);
    }

    [TestCase("127.0.0.2", "Allow")]
    [TestCase("127.0.0.1", "Deny")]
    [TestCase("::ffff:127.0.0.2", "Allow")]
    [TestCase("2001:db8::1", "Allow")]
    [TestCase("2001:db9::1", "Deny")]
    public void Evaluate_Client_MatchesCidrList(string client, string expected)
    {
        var rules = AccessRuleSet.Parse("allow client=127.0.0.2/32,2001:db8::/32", "r");

        Evaluate(rules, Connect(client, "192.0.2.1", 80), out _).ToString().Should().Be(expected);
    }

    [TestCase(null, "Allow")]
    [TestCase("alice", "Deny")]
    public void Evaluate_UserAnonymous_MatchesOnlySessionsWithoutAuthentication(string? user, string expected) =>
        Evaluate(AccessRuleSet.Parse("allow user=anonymous", "r"), Connect("127.0.0.1", "192.0.2.1", 80, user), out _).ToString().Should().Be(expected);

    [TestCase(null, "Deny")]
    [TestCase("alice", "Allow")]
    [TestCase("zed", "Allow")]
    public void Evaluate_UserStar_MatchesEveryAuthenticatedUser(string? user, string expected) =>
        Evaluate(AccessRuleSet.Parse("allow user=*", "r"), Connect("127.0.0.1", "192.0.2.1", 80, user), out _).ToString().Should().Be(expected);

    [TestCase("alice", "Allow")]
    [TestCase("bob", "Allow")]
    [TestCase("Alice", "Deny")]
    [TestCase(null, "Deny")]
    public void Evaluate_UserNames_MatchExactly(string? user, string expected) =>
        Evaluate(AccessRuleSet.Parse("allow user=alice,bob", "r"), Connect("127.0.0.1", "192.0.2.1", 80, user), out _).ToString().Should().Be(expected);

    [TestCase((byte)0x01, "Allow")]
    [TestCase((byte)0x02, "Allow")]
    [TestCase((byte)0x03, "Deny")]
    [TestCase((byte)0xF0, "Deny")]
    public void Evaluate_Command_MatchesListedCommands(byte command, string expected)
    {
        var input = Connect("127.0.0.1", "192.0.2.1", 80);
        input.Command = command;

        Evaluate(AccessRuleSet.Parse("allow command=connect,bind", "r"), input, out _).ToString().Should().Be(expected);
    }

    [TestCase("example.com", "Allow")]
    [TestCase("EXAMPLE.com.", "Allow")]
    [TestCase("www.example.com", "Deny")]
    [TestCase("a.corp.example", "Allow")]
    [TestCase("a.b.Corp.Example", "Allow")]
    [TestCase("corp.example", "Deny")]
    [TestCase("xcorp.example", "Deny")]
    public void Evaluate_DestinationName_MatchesNameAndWildcard(string name, string expected)
    {
        var rules = AccessRuleSet.Parse("allow dest=example.com,*.corp.example", "r");

        Evaluate(rules, Named("127.0.0.1", name, 443, resolved: "192.0.2.1"), out _).ToString().Should().Be(expected);
    }

    [Test]
    public void Evaluate_DestinationCidr_UndecidedBeforeResolutionThenMatchesTheResolvedAddress()
    {
        var rules = AccessRuleSet.Parse("deny dest=10.0.0.0/8\nallow\n", "r");

        Evaluate(rules, Named("127.0.0.1", "intranet.example", 80, resolved: null), out _).Should().Be(RuleOutcome.Undecided);
        Evaluate(rules, Named("127.0.0.1", "intranet.example", 80, resolved: "10.1.2.3"), out var line).Should().Be(RuleOutcome.Deny);
        line.Should().Be(1);
        Evaluate(rules, Named("127.0.0.1", "intranet.example", 80, resolved: "192.0.2.1"), out line).Should().Be(RuleOutcome.Allow);
        line.Should().Be(2);
    }

    [Test]
    public void Evaluate_DestinationNameMatchedFirst_DecidesBeforeResolution()
    {
        var rules = AccessRuleSet.Parse("deny dest=*.ads.example,10.0.0.0/8\nallow\n", "r");

        Evaluate(rules, Named("127.0.0.1", "x.ads.example", 80, resolved: null), out var line).Should().Be(RuleOutcome.Deny);
        line.Should().Be(1);
    }

    [TestCase(80, "Allow")]
    [TestCase(443, "Allow")]
    [TestCase(8000, "Allow")]
    [TestCase(8050, "Allow")]
    [TestCase(8100, "Allow")]
    [TestCase(8101, "Deny")]
    [TestCase(22, "Deny")]
    public void Evaluate_Ports_MatchListAndRanges(int port, string expected) =>
        Evaluate(AccessRuleSet.Parse("allow port=80,443,8000-8100", "r"), Connect("127.0.0.1", "192.0.2.1", port), out _).ToString().Should().Be(expected);

    [Test]
    public void MayAllowAnonymous_FollowsClientNetworksAndEarlierUnconditionalDenials()
    {
        var rules = AccessRuleSet.Parse(
            "deny client=127.0.0.3 user=anonymous\nallow client=127.0.0.0/8 user=anonymous port=80\nallow user=*\n", "r");

        rules.MayAllowAnonymous(IPAddress.Parse("127.0.0.2")).Should().BeTrue();
        rules.MayAllowAnonymous(IPAddress.Parse("127.0.0.3")).Should().BeFalse("line 1 denies it whatever it asks");
        rules.MayAllowAnonymous(IPAddress.Parse("192.0.2.1")).Should().BeFalse("only user=* is left, which needs a login");
    }

    [Test]
    public void Evaluate_AllocatesNothing()
    {
        var rules = AccessRuleSet.Parse(
            "deny client=192.0.2.0/24\nallow user=alice,bob dest=*.example.com,10.0.0.0/8 port=80,8000-8100 command=connect\n" +
            "deny dest=2001:db8::/32\nallow user=anonymous client=127.0.0.0/8,::1\n", "r");
        var client = IPAddress.Parse("127.0.0.1");
        var target = IPAddress.Parse("10.1.2.3");
        var name = "www.example.com"u8.ToArray();
        var user = "carol"u8.ToArray();
        RunAll(rules, client, target, name, user);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            RunAll(rules, client, target, name, user);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    private static void RunAll(AccessRuleSet rules, IPAddress client, IPAddress target, byte[] name, byte[] user)
    {
        var input = new RuleInput { Client = client, Authenticated = true, User = user, Command = 1, Name = name, Address = target, Port = 8080 };
        rules.Evaluate(input, out _);
        input.Authenticated = false;
        input.User = default;
        rules.Evaluate(input, out _);
        rules.MayAllowAnonymous(client);
    }

    internal static RuleOutcome Evaluate(AccessRuleSet rules, RuleInputData data, out int line)
    {
        var input = new RuleInput
        {
            Client = data.Client,
            Authenticated = data.User is not null,
            User = data.User is null ? default : Encoding.UTF8.GetBytes(data.User),
            Command = data.Command,
            Name = data.Name is null ? default : Encoding.ASCII.GetBytes(data.Name),
            Address = data.Address,
            AddressLater = data.Name is not null && data.Address is null,
            Port = data.Port,
        };
        return rules.Evaluate(input, out line);
    }

    private static RuleInputData Connect(string client, string target, int port, string? user = null) =>
        new(IPAddress.Parse(client), user, 0x01, null, IPAddress.Parse(target), port);

    private static RuleInputData Named(string client, string name, int port, string? resolved) =>
        new(IPAddress.Parse(client), null, 0x01, name, resolved is null ? null : IPAddress.Parse(resolved), port);

    /// <summary>A request for a test, turned into a <see cref="RuleInput"/> by <see cref="Evaluate"/>.</summary>
    internal sealed record RuleInputData(IPAddress Client, string? User, byte Command, string? Name, IPAddress? Address, int Port)
    {
        public byte Command { get; set; } = Command;
    }
}
