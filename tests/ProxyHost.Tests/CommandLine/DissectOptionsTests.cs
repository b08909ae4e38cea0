using ProxyHost.CommandLine;
using ProxyHost.Tests.Logs;
using Socks.Core.Dissectors;

namespace ProxyHost.Tests.CommandLine;

/// <summary>--dissect PROTO=PORTS (and its older POP3 spelling --pop3-ports) on the command line.</summary>
public sealed class DissectOptionsTests
{
    private const string Expected = "expected PROTO=PORTS, PROTO one of http, ftp, imap, pop3, smtp, PORTS a comma-separated list of ports 1..65535, * (pop3, http) or none";

    [Test]
    public void Parse_NoDissectOption_DefaultPortsOfEveryProtocol_NoDetection()
    {
        var settings = ParseOk();

        settings.DissectPorts.Should().BeEquivalentTo(new Dictionary<DissectorProtocol, int[]>
        {
            [DissectorProtocol.Http] = [80, 8080],
            [DissectorProtocol.Ftp] = [21],
            [DissectorProtocol.Imap] = [143],
            [DissectorProtocol.Pop3] = [110],
            [DissectorProtocol.Smtp] = [25, 587],
        });
        settings.DissectSniff.Should().BeEmpty();
    }

    [Test]
    public void Parse_SeveralProtocols_ReplaceTheirDefaults_OthersKeepThem()
    {
        var settings = ParseOk("--dissect", "http=8000, 80,8000", "--dissect=ftp=none", "--dissect", "pop3=1110,*,110");

        settings.DissectPorts[DissectorProtocol.Http].Should().Equal(80, 8000);
        settings.DissectPorts[DissectorProtocol.Ftp].Should().BeEmpty();
        settings.DissectPorts[DissectorProtocol.Pop3].Should().Equal(110, 1110);
        settings.DissectPorts[DissectorProtocol.Imap].Should().Equal(143);
        settings.DissectPorts[DissectorProtocol.Smtp].Should().Equal(25, 587);
        settings.DissectSniff.Should().Equal(DissectorProtocol.Pop3);
    }

    [Test]
    public void Parse_PortGivenToAnotherProtocol_LeavesTheDefaultsOfTheOthers()
    {
        var settings = ParseOk("--dissect", "imap=8080,25");

        settings.DissectPorts[DissectorProtocol.Imap].Should().Equal(25, 8080);
        settings.DissectPorts[DissectorProtocol.Http].Should().Equal(80);
        settings.DissectPorts[DissectorProtocol.Smtp].Should().Equal(587);
    }

    [Test]
    public void Parse_Pop3Ports_IsDissectPop3() =>
        ParseOk("--pop3-ports", "1110").DissectPorts[DissectorProtocol.Pop3].Should().Equal(1110);

    [TestCase("socks5d: invalid port 'x' in --dissect http=80,x: " + Expected, "--dissect", "http=80,x")]
    [TestCase("socks5d: invalid port '0' in --dissect smtp=0: " + Expected, "--dissect", "smtp=0")]
    [TestCase("socks5d: invalid port '' in --dissect ftp=: " + Expected, "--dissect", "ftp=")]
    [TestCase("socks5d: invalid value 'gopher=70' for --dissect: " + Expected, "--dissect", "gopher=70")]
    [TestCase("socks5d: invalid value 'HTTP=80' for --dissect: " + Expected, "--dissect", "HTTP=80")]
    [TestCase("socks5d: invalid value 'http' for --dissect: " + Expected, "--dissect", "http")]
    [TestCase("socks5d: invalid port '*' in --dissect imap=143,*: only pop3 and http can be detected on other ports", "--dissect", "imap=143,*")]
    [TestCase("socks5d: invalid value 'pop3=80' for --dissect: port 80 is already dissected as http", "--dissect", "http=80", "--dissect", "pop3=80")]
    [TestCase("socks5d: invalid value 'http=81' for --dissect: the ports of http are already given", "--dissect", "http=80", "--dissect", "http=81")]
    [TestCase("socks5d: invalid value 'pop3=995' for --dissect: the ports of pop3 are already given", "--pop3-ports", "110", "--dissect", "pop3=995")]
    [TestCase("socks5d: option '--dissect' requires a value", "--dissect")]
    public void Parse_BadDissectOption_OneLineNamingTheValueAndExit64(string expected, params string[] args) =>
        LogOptionsTests.ShouldBeUsageError(expected, args);

    [Test]
    public void Usage_NamesDissectWithItsDefaults()
    {
        var usage = ArgumentParser.Usage();

        usage.Should().Contain("[--dissect proto=ports]...");
        usage.Should().Contain("--dissect=PROTO=PORTS").And.Contain("http=80,8080;").And.Contain("smtp=25,587");
    }

    private static HostSettings ParseOk(params string[] args) => LogOptionsTests.ParseOk(args);
}
