using ProxyHost.CommandLine;
using Socks.Core.Dissectors;

namespace ProxyHost.Tests.Logs;

/// <summary>--access-log, --credentials-log and --pop3-ports on the command line.</summary>
public sealed class LogOptionsTests
{
    [Test]
    public void Parse_NoLogOptions_AccessLogOnStandardOutputCredentialsInAFileAndPort110()
    {
        var settings = ParseOk();

        settings.AccessLogPath.Should().Be("-");
        settings.CredentialsLogPath.Should().Be(HostSettings.DefaultCredentialsLogPath()).And.NotBe("-").And.EndWith("/credentials.log");
        settings.DissectPorts[DissectorProtocol.Pop3].Should().Equal(110);
    }

    [Test]
    public void Parse_AllLogOptions_AreRead()
    {
        var settings = ParseOk("--access-log", "/var/log/socks5d/access.log", "--credentials-log=-", "--pop3-ports", "1110, 110,995,110");

        settings.AccessLogPath.Should().Be("/var/log/socks5d/access.log");
        settings.CredentialsLogPath.Should().Be("-");
        settings.DissectPorts[DissectorProtocol.Pop3].Should().Equal(110, 995, 1110);
    }

    [Test]
    public void Parse_DashAsSeparateValue_IsStandardOutput() =>
        ParseOk("--access-log", "-", "-N").AccessLogPath.Should().Be("-");

    [TestCase("socks5d: invalid port 'pop3s' in --pop3-ports: expected a comma-separated list of ports 1..65535", "--pop3-ports", "110,pop3s")]
    [TestCase("socks5d: invalid port '0' in --pop3-ports: expected a comma-separated list of ports 1..65535", "--pop3-ports", "0")]
    [TestCase("socks5d: invalid port '65536' in --pop3-ports: expected a comma-separated list of ports 1..65535", "--pop3-ports", "65536")]
    [TestCase("socks5d: invalid port '-1' in --pop3-ports: expected a comma-separated list of ports 1..65535", "--pop3-ports=-1")]
    [TestCase("socks5d: invalid port '+110' in --pop3-ports: expected a comma-separated list of ports 1..65535", "--pop3-ports", "+110")]
    [TestCase("socks5d: invalid port '' in --pop3-ports: expected a comma-separated list of ports 1..65535", "--pop3-ports", "110,")]
    [TestCase("socks5d: invalid port '' in --pop3-ports: expected a comma-separated list of ports 1..65535", "--pop3-ports", "")]
    [TestCase("socks5d: option '--pop3-ports' requires a value", "--pop3-ports")]
    [TestCase("socks5d: option '--access-log' requires a value", "--access-log", "-p", "1")]
    [TestCase("socks5d: option '--credentials-log' given more than once", "--credentials-log", "a", "--credentials-log", "b")]
    [TestCase("socks5d: invalid value '' for --access-log: expected a file path, or - for standard output", "--access-log", "")]
    [TestCase("socks5d: invalid value '' for --credentials-log: expected a file path, or - for standard output", "--credentials-log", "")]
    public void Parse_BadLogOption_OneLineNamingTheValueAndExit64(string expected, params string[] args) =>
        ShouldBeUsageError(expected, args);

    /// <summary>Parsing <paramref name="args"/> fails with status 64: <paramref name="expected"/>, then the usage.</summary>
    internal static void ShouldBeUsageError(string expected, params string[] args)
    {
        var stderr = new StringWriter();

        var outcome = ArgumentParser.Parse(args, new StringWriter(), stderr);

        outcome.ExitCode.Should().Be(64);
        outcome.Settings.Should().BeNull();
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].TrimEnd('\r').Should().Be(expected);
        lines[1].Should().StartWith("usage: socks5d");
    }

    [Test]
    public void Usage_NamesTheLogOptions()
    {
        var usage = ArgumentParser.Usage();

        usage.Should().Contain("[--access-log path] [--credentials-log path] [--pop3-ports list]");
        usage.Should().Contain("--access-log=PATH").And.Contain("--credentials-log=PATH").And.Contain("--pop3-ports=LIST");
        usage.Should().Contain("73 cannot open a log");
    }

    internal static HostSettings ParseOk(params string[] args)
    {
        var stderr = new StringWriter();
        var outcome = ArgumentParser.Parse(args, new StringWriter(), stderr);
        stderr.ToString().Should().BeEmpty();
        outcome.ExitCode.Should().Be(0);
        return outcome.Settings!;
    }
}
