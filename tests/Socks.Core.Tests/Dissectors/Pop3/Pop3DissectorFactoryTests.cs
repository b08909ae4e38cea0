using Socks.Core.Dissectors;
using Socks.Core.Dissectors.Pop3;

namespace Socks.Core.Tests.Dissectors.Pop3;

public class Pop3DissectorFactoryTests
{
    [Test]
    public void Ports_NotGiven_Is110()
    {
        new Pop3DissectorFactory(new CollectingCredentialSink(), new DissectorSwitch()).Ports.Should().Equal(110);
    }

    [Test]
    public void Ports_Given_SortedWithoutDuplicates()
    {
        new Pop3DissectorFactory(new CollectingCredentialSink(), new DissectorSwitch(), [1110, 110, 1110]).Ports.Should().Equal(110, 1110);
    }

    [TestCase(0)]
    [TestCase(65536)]
    [TestCase(-1)]
    public void Constructor_PortOutOfRange_Throws(int port)
    {
        var act = () => new Pop3DissectorFactory(new CollectingCredentialSink(), new DissectorSwitch(), [110, port]);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("ports");
    }

    [Test]
    public void Create_SwitchOff_StillReturnsDisposableObserver()
    {
        var factory = new Pop3DissectorFactory(new CollectingCredentialSink(), new DissectorSwitch(enabled: false));

        var observer = factory.Create(Pop3Harness.Session());

        observer.Should().NotBeNull().And.BeAssignableTo<IDisposable>();
        observer!.IsFinished.Should().BeFalse();
    }

    [Test]
    public void Create_ConfiguredNon110Port_WatchesWithoutGreetingCheck()
    {
        var harness = new Pop3Harness(ports: [995, 1110]);
        var observer = harness.Create(port: 1110);

        // Not a "+OK " greeting at the start, but the port is configured: the greeting check of a
        // configured port only looks at the whole first line.
        Pop3Harness.Feed(observer, [Pop3Harness.S("+OK\r\n"), Pop3Harness.C("USER a\r\nPASS b\r\n"), Pop3Harness.S("+OK\r\n-ERR\r\n")]);

        harness.Sink.Records.Should().ContainSingle().Which.Outcome.Should().Be(CredentialOutcome.Rejected);
    }
}
