using System.Collections;
using System.Net;
using System.Text;
using System.Text.Json;
using ProxyHost.CommandLine;

namespace ProxyHost.Tests.CommandLine;

/// <summary>--config FILE (JSON), SOCKS5D_* environment variables, --users-from and --print-config, through the real parser.</summary>
public sealed class ConfigurationTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("socks5d-config-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void File_SetsEveryKindOfKey()
    {
        var file = Write("""
            { "listen": "127.0.0.1", "port": 1090, "user": ["alice:pw:1", "bob:pw2"], "allow-anonymous": true,
              "no-dissector": false, "idle-timeout": "5m", "max-connections": 200, "mgmt-address": "unix:/run/s.sock" }
            """);

        var settings = ParseOk(Environment(), "--config", file);

        settings.ListenAddresses.Should().Equal(IPAddress.Loopback);
        settings.Port.Should().Be(1090);
        settings.Users.Select(u => Encoding.UTF8.GetString(u.Username) + "=" + Encoding.UTF8.GetString(u.Password))
            .Should().Equal("alice=pw:1", "bob=pw2");
        settings.AllowAnonymous.Should().BeTrue();
        settings.DissectorEnabled.Should().BeTrue("false turns a flag off");
        settings.IdleTimeout.Should().Be(TimeSpan.FromMinutes(5));
        settings.MaxConnections.Should().Be(200);
        settings.ManagementEndPoint.ToString().Should().Be("/run/s.sock");
    }

    [Test]
    public void Precedence_FlagsBeatTheEnvironment_WhichBeatsTheFile()
    {
        var file = Write("""{ "port": 1090, "max-connections": 10, "drain-timeout": "5s", "user": ["file:pw"] }""");
        var environment = Environment(("SOCKS5D_PORT", "1091"), ("SOCKS5D_MAX_CONNECTIONS", "20"), ("SOCKS5D_USER__0", "env:pw"));

        var settings = ParseOk(environment, "--config", file, "-p", "1092", "-u", "flag:pw");

        settings.Port.Should().Be(1092, "a flag beats the environment");
        settings.MaxConnections.Should().Be(20, "the environment beats the file");
        settings.DrainTimeout.Should().Be(TimeSpan.FromSeconds(5), "the file beats the default");
        settings.Users.Select(u => Encoding.UTF8.GetString(u.Username)).Should().Equal(["flag"], "-u on the command line replaces every other list of users");
    }

    [Test]
    public void Environment_WorksWithoutAFile_InAnyCase()
    {
        var settings = ParseOk(Environment(("SOCKS5D_ALLOW_ANONYMOUS", "true"), ("SOCKS5D_max_users", "3")));

        settings.AllowAnonymous.Should().BeTrue();
        settings.MaxUsers.Should().Be(3);
    }

    [TestCase("""{ "prot": 1 }""", "unknown key 'prot' in FILE: no option --prot")]
    [TestCase("""{ "help": true }""", "unknown key 'help' in FILE: no option --help")]
    [TestCase("""{ "config": "other.json" }""", "unknown key 'config' in FILE: no option --config")]
    [TestCase("""{ "port": [1, 2] }""", "invalid key 'port' in FILE: --port takes one value, not a list or an object")]
    [TestCase("""{ "user": [{ "name": "a" }] }""", "invalid key 'user' in FILE: expected a list of strings")]
    [TestCase("""{ "allow-anonymous": "yes" }""", "invalid value 'yes' for allow-anonymous in FILE: expected true or false")]
    [TestCase("""{ "port": 70000 }""", "invalid port '70000' for -p: expected 0..65535 (set in FILE)")]
    [TestCase("""{ "max-connections": "many" }""", "invalid value 'many' for --max-connections: expected a whole number 0..2147483647 (set in FILE)")]
    public void File_WithABadKeyOrValue_StopsWithOneLineNamingIt(string json, string expected)
    {
        var file = Write(json);

        var (exitCode, stderr) = ParseFails(Environment(), "--config", file);

        exitCode.Should().Be(78, "a bad configuration is EX_CONFIG");
        stderr.Should().Be($"socks5d: {expected.Replace("FILE", file, StringComparison.Ordinal)}\n");
    }

    [TestCase("SOCKS5D_PROT", "1", "unknown environment variable SOCKS5D_PROT: no option --prot")]
    [TestCase("SOCKS5D_PORT", "x", "invalid port 'x' for -p: expected 0..65535 (set in SOCKS5D_PORT)")]
    [TestCase("SOCKS5D_NO_DISSECTOR", "1", "invalid value '1' for no-dissector in SOCKS5D_NO_DISSECTOR: expected true or false")]
    public void Environment_WithABadVariable_StopsWithOneLineNamingIt(string name, string value, string expected)
    {
        var (exitCode, stderr) = ParseFails(Environment((name, value)));

        exitCode.Should().Be(78);
        stderr.Should().Be($"socks5d: {expected}\n");
    }

    [Test]
    public void File_ThatIsMissingOrNotJson_StopsWithOneLine()
    {
        var missing = Path.Combine(_directory, "missing.json");
        ParseFails(Environment(), "--config", missing).Should().Be((78, $"socks5d: cannot read the configuration file {missing}: no such file\n"));

        var broken = Write("{ \"port\": 1,\n");
        var (exitCode, stderr) = ParseFails(Environment(), "--config", broken);
        exitCode.Should().Be(78);
        stderr.Should().StartWith($"socks5d: cannot read the configuration file {broken}: ").And.Contain("LineNumber").And.EndWith("\n");
        stderr.Count(c => c == '\n').Should().Be(1);
    }

    [Test]
    public void UsersFrom_AddsTheUsersOfTheFile_AfterThoseOfDashU()
    {
        var file = Write("# users\nalice:pw1\n\ncarol:p:w\r\n", "users");

        var settings = ParseOk(Environment(), "-u", "bob:pw", "--users-from", file);

        settings.Users.Select(u => Encoding.UTF8.GetString(u.Username) + "=" + Encoding.UTF8.GetString(u.Password))
            .Should().Equal("bob=pw", "alice=pw1", "carol=p:w");
    }

    [Test]
    public void UsersFrom_WithABadLine_NamesTheLineButNotThePassword()
    {
        var file = Write("alice:pw1\nsecretwithoutcolon\nalice:again\n", "users");

        ParseFails(Environment(), "--users-from", file).Should().Be((78, $"socks5d: invalid value for --users-from ({file} line 2): expected user:pass\n"));
        File.WriteAllText(file, "alice:pw1\nalice:again\n");
        ParseFails(Environment(), "--users-from", file)
            .Should().Be((78, $"socks5d: invalid value for --users-from ({file} line 2): user 'alice' given more than once\n"));
    }

    [Test]
    public void PrintConfig_ShowsEveryKeyWithItsEffectiveValue_AndHidesPasswords()
    {
        var file = Write("""{ "port": 1090, "user": ["alice:topsecret"] }""");
        var stdout = new StringWriter();

        var outcome = ArgumentParser.Parse(["--config", file, "--print-config", "--idle-timeout", "0"], Environment(("SOCKS5D_MAX_USERS", "4")), stdout, new StringWriter());

        outcome.Should().Be(new ParseOutcome(null, 0));
        stdout.ToString().Should().NotContain("topsecret");
        using var printed = JsonDocument.Parse(stdout.ToString());
        var root = printed.RootElement;
        root.GetProperty("port").GetInt32().Should().Be(1090);
        root.GetProperty("max-users").GetInt32().Should().Be(4);
        root.GetProperty("idle-timeout").GetString().Should().Be("0");
        root.GetProperty("handshake-timeout").GetString().Should().Be("10s", "defaults are shown too");
        root.GetProperty("mgmt-port").GetInt32().Should().Be(8080);
        root.GetProperty("user").EnumerateArray().Select(e => e.GetString()).Should().Equal($"alice:{EffectiveConfiguration.Hidden}");
        root.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(ArgumentScanner.ConfigurableNames, "every key is shown");
    }

    [Test]
    public void PrintConfig_ReadBackAsAFile_GivesTheSameConfiguration()
    {
        var first = new StringWriter();
        ArgumentParser.Parse(["--print-config", "-l", "::1", "-p", "1099", "--allow-anonymous", "--pop3-ports", "110,1110"], Environment(), first, new StringWriter());
        var file = Write(first.ToString());
        var second = new StringWriter();

        ArgumentParser.Parse(["--config", file, "--print-config"], Environment(), second, new StringWriter()).ExitCode.Should().Be(0);

        second.ToString().Should().Be(first.ToString());
    }

    private string Write(string text, string name = "socks5d.json")
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static Hashtable Environment(params (string Name, string Value)[] variables)
    {
        var table = new Hashtable { ["PATH"] = "/usr/bin", ["SOCKS5DX"] = "not ours" };
        foreach (var (name, value) in variables)
        {
            table[name] = value;
        }

        return table;
    }

    private static HostSettings ParseOk(IDictionary environment, params string[] args)
    {
        var stderr = new StringWriter();
        var outcome = ArgumentParser.Parse(args, environment, new StringWriter(), stderr);
        outcome.Settings.Should().NotBeNull(stderr.ToString());
        return outcome.Settings!;
    }

    private static (int ExitCode, string Stderr) ParseFails(IDictionary environment, params string[] args)
    {
        var stderr = new StringWriter();
        var outcome = ArgumentParser.Parse(args, environment, new StringWriter(), stderr);
        outcome.Settings.Should().BeNull();
        return (outcome.ExitCode, stderr.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}
