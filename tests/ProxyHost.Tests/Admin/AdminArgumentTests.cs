using ProxyHost.CommandLine;

namespace ProxyHost.Tests.Admin;

/// <summary>The user administration flags of socks5d: --users-file and --max-users.</summary>
public sealed class AdminArgumentTests
{
    [Test]
    public void Parse_NoUserFlags_NoFileAndTenUsers()
    {
        var settings = ParseOk();

        settings.UsersFile.Should().BeNull();
        settings.MaxUsers.Should().Be(10);
    }

    [TestCase("--users-file", "/var/lib/socks5d/users", "--max-users", "255")]
    [TestCase("--users-file=/var/lib/socks5d/users", "--max-users=255")]
    public void Parse_UsersFileAndMaxUsers_AreRead(params string[] args)
    {
        var settings = ParseOk(args);

        settings.UsersFile.Should().Be("/var/lib/socks5d/users");
        settings.MaxUsers.Should().Be(255);
    }

    [Test]
    public void Parse_CommandLineUsersUpToMaxUsers_AreAccepted() =>
        ParseOk("--max-users", "2", "-u", "a:1", "-u", "b:2").Users.Should().HaveCount(2);

    [TestCase("socks5d: invalid value '0' for --max-users: expected a whole number 1..255 (MCP LIST_USERS counts users in one byte)", "--max-users", "0")]
    [TestCase("socks5d: invalid value '256' for --max-users: expected a whole number 1..255 (MCP LIST_USERS counts users in one byte)", "--max-users", "256")]
    [TestCase("socks5d: invalid value 'ten' for --max-users: expected a whole number 1..255 (MCP LIST_USERS counts users in one byte)", "--max-users=ten")]
    [TestCase("socks5d: too many users: 3 given with -u, but --max-users is 2", "--max-users", "2", "-u", "a:1", "-u", "b:2", "-u", "c:3")]
    [TestCase("socks5d: too many users: 11 given with -u, but --max-users is 10", "-u", "a:1", "-u", "b:1", "-u", "c:1", "-u", "d:1", "-u", "e:1", "-u", "f:1", "-u", "g:1", "-u", "h:1", "-u", "i:1", "-u", "j:1", "-u", "k:1")]
    [TestCase("socks5d: option '--users-file' requires a value", "--users-file")]
    [TestCase("socks5d: option '--max-users' requires a value", "--max-users", "-N")]
    [TestCase("socks5d: option '--users-file' given more than once", "--users-file", "a", "--users-file", "b")]
    [TestCase("socks5d: invalid value for --users-file: expected a file path", "--users-file", "")]
    [TestCase("socks5d: invalid argument '--users-file='", "--users-file=")]
    public void Parse_BadUserFlags_OneLineAndExit64(string expected, params string[] args)
    {
        var stderr = new StringWriter();

        var outcome = ArgumentParser.Parse(args, new StringWriter(), stderr);

        outcome.ExitCode.Should().Be(64);
        stderr.ToString().Split('\n')[0].Should().Be(expected);
    }

    [Test]
    public void Usage_NamesTheNewFlagsAndExitStatus78()
    {
        var usage = ArgumentParser.Usage();

        usage.Should().Contain("--users-file").And.Contain("--max-users").And.Contain("78 bad users file");
    }

    private static HostSettings ParseOk(params string[] args)
    {
        var stderr = new StringWriter();
        var outcome = ArgumentParser.Parse(args, new StringWriter(), stderr);
        stderr.ToString().Should().BeEmpty();
        outcome.ExitCode.Should().Be(0);
        return outcome.Settings!;
    }
}
