using Socks.Core.Dissectors;
using Socks.Core.Tests.Dissectors.Pop3;
using static Socks.Core.Tests.Dissectors.FamilyHarness;
using static Socks.Core.Tests.Dissectors.Pop3.Pop3Harness;

namespace Socks.Core.Tests.Dissectors;

public class DissectorFactoryTests
{
    /// <summary>One accepted login per protocol, each on its default port.</summary>
    private static readonly (int Port, Step[] Steps)[] Logins =
    [
        (80, [C("GET / HTTP/1.1\r\nAuthorization: Basic " + Base64("h:1") + "\r\n\r\n"), S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")]),
        (21, [S("220 x\r\n"), C("USER f\r\n"), S("331 x\r\n"), C("PASS 2\r\n"), S("230 x\r\n")]),
        (143, [S("* OK x\r\n"), C("a LOGIN i 3\r\n"), S("a OK\r\n")]),
        (110, [S("+OK x\r\n"), C("USER p\r\n"), S("+OK\r\n"), C("PASS 4\r\n"), S("+OK\r\n")]),
        (587, [S("220 x\r\n"), C("AUTH PLAIN " + Base64("\0s\u00005") + "\r\n"), S("235 ok\r\n")]),
    ];

    [Test]
    public void DefaultPorts_EachProtocolOnItsPorts()
    {
        var ports = new FamilyHarness().Factory.Ports;

        ports.Keys.Should().Equal(DissectorProtocol.Http, DissectorProtocol.Ftp, DissectorProtocol.Imap, DissectorProtocol.Pop3, DissectorProtocol.Smtp);
        ports[DissectorProtocol.Http].Should().Equal(80, 8080);
        ports[DissectorProtocol.Ftp].Should().Equal(21);
        ports[DissectorProtocol.Imap].Should().Equal(143);
        ports[DissectorProtocol.Pop3].Should().Equal(110);
        ports[DissectorProtocol.Smtp].Should().Equal(25, 587);
    }

    [Test]
    public void OneLoginPerProtocol_OneRecordEachWithItsProtocolName()
    {
        var harness = new FamilyHarness();

        foreach (var (port, steps) in Logins)
        {
            harness.Run(port, steps);
        }

        harness.Records.Should().Equal(
            "HTTP Basic h 1 Accepted", "FTP UserPass f 2 Accepted", "IMAP Login i 3 Accepted", "POP3 UserPass p 4 Accepted", "SMTP AuthPlain s 5 Accepted");
    }

    [Test]
    public void SwitchOff_NoProtocolRecordsAnything_SwitchedOnAgainTheyDo()
    {
        var harness = new FamilyHarness(enabled: false);

        foreach (var (port, steps) in Logins)
        {
            harness.Run(port, steps);
        }

        harness.Records.Should().BeEmpty();
        harness.Switch.Toggle().Should().BeTrue();
        harness.Run(Logins[2].Port, Logins[2].Steps);
        harness.Records.Should().Equal("IMAP Login i 3 Accepted");
    }

    [Test]
    public void PortsGiven_ReplaceTheDefaultsOfThatProtocolOnly_AndUnwatchedPortsGetNoObserver()
    {
        var harness = new FamilyHarness(ports: new Dictionary<DissectorProtocol, IReadOnlyCollection<int>> { [DissectorProtocol.Imap] = [1143], [DissectorProtocol.Http] = [] });

        harness.Factory.Ports[DissectorProtocol.Imap].Should().Equal(1143);
        harness.Factory.Ports[DissectorProtocol.Http].Should().BeEmpty();
        harness.Factory.Create(Session(143)).Should().BeNull();
        harness.Factory.Create(Session(80)).Should().BeNull();
        harness.Factory.Create(Session(22)).Should().BeNull();
        harness.Run(1143, Logins[2].Steps);
        harness.Records.Should().Equal("IMAP Login i 3 Accepted");
    }

    [Test]
    public void PortGivenToTwoProtocols_Throws()
    {
        var act = () => new DissectorFactory(new CollectingCredentialSink(), new DissectorSwitch(), new Dictionary<DissectorProtocol, IReadOnlyCollection<int>> { [DissectorProtocol.Pop3] = [80] });

        act.Should().Throw<ArgumentException>().WithMessage("Port 80 is given to both HTTP and POP3.*");
    }

    [Test]
    public void DetectionOnOtherPorts_Pop3AndHttpTogether_EachFindsItsOwn()
    {
        var harness = new FamilyHarness(sniff: [DissectorProtocol.Pop3, DissectorProtocol.Http]);

        harness.Run(2000, Logins[0].Steps);
        harness.Run(2001, Logins[3].Steps);

        harness.Records.Should().Equal("HTTP Basic h 1 Accepted", "POP3 UserPass p 4 Accepted");
    }

    [Test]
    public void DetectionOfImap_Throws()
    {
        var act = () => new DissectorFactory(new CollectingCredentialSink(), new DissectorSwitch(), sniffOtherPorts: [DissectorProtocol.Imap]);

        act.Should().Throw<ArgumentException>();
    }
}
