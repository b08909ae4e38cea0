using System.Collections;
using System.Text.Json;
using ProxyHost.CommandLine;

namespace ProxyHost.Tests.CommandLine;

/// <summary>Repeated -l and -b/--outbound-address (docs/socks5d.8); --bind keeps its long form.</summary>
public sealed class ListenAndOutboundOptionsTests
{
    [Test]
    public void Parse_RepeatedListen_KeepsEachAddress() =>
        Parse("-l", "127.0.0.1", "--listen", "::1", "-l127.0.0.2").ListenAddresses
            .Select(a => a.ToString()).Should().BeEquivalentTo("127.0.0.1", "::1", "127.0.0.2");

    [Test]
    public void Parse_OutboundAddresses_OnePerFamily() =>
        Parse("-b", "::1", "--outbound-address=192.0.2.1").OutboundAddresses
            .Should().Equal(System.Net.IPAddress.Parse("192.0.2.1"), System.Net.IPAddress.IPv6Loopback);

    [Test]
    public void Parse_BindSwitch_StillItsOwnOption() => Parse("--bind", "-b", "127.0.0.2").AllowBind.Should().BeTrue();

    [TestCase("socks5d: invalid address 'eth0' for -b: expected an IPv4 or IPv6 address", "-b", "eth0")]
    [TestCase("socks5d: invalid address '::2' for -b: an IPv6 address (::1) is given already; -b takes one IPv4 and one IPv6 address", "-b", "::1", "-b", "::2")]
    [TestCase("socks5d: invalid address '::1' for -l: given more than once", "-l", "::1", "-l", "::1")]
    public void Parse_BadValues_OneLineAndExit64(string expected, params string[] args)
    {
        var stderr = new StringWriter();

        ArgumentParser.Parse(args, new Hashtable(), new StringWriter(), stderr).ExitCode.Should().Be(64);

        stderr.ToString().Split('\n')[0].TrimEnd('\r').Should().Be(expected);
    }

    [Test]
    public void PrintConfig_ShowsEveryListenAndOutboundAddress()
    {
        var stdout = new StringWriter();

        ArgumentParser.Parse(["-l", "127.0.0.1", "-l", "::1", "-b", "127.0.0.2", "--print-config"], new Hashtable(), stdout, new StringWriter()).ExitCode.Should().Be(0);

        var root = JsonDocument.Parse(stdout.ToString()).RootElement;
        root.GetProperty("listen").EnumerateArray().Select(e => e.GetString()).Should().Equal("127.0.0.1", "::1");
        root.GetProperty("outbound-address").EnumerateArray().Select(e => e.GetString()).Should().Equal("127.0.0.2");
    }

    [Test]
    public void Environment_IndexedVariables_GiveSeveralListenAddresses() =>
        ArgumentParser.Parse([], new Hashtable { ["SOCKS5D_LISTEN__0"] = "127.0.0.1", ["SOCKS5D_LISTEN__1"] = "::1" }, new StringWriter(), new StringWriter())
            .Settings!.ListenAddresses.Should().HaveCount(2);

    [Test]
    public void DescriptorBudget_CountsEachListenerBeyondTheFirst()
    {
        var budget = new Socks.Core.DescriptorBudget(10_000, 10);
        var before = budget.SessionDescriptors;

        _ = new ProxyHost.Hosting.HostDescriptorBudget(budget, 4, socksListeners: 3);
        var single = new Socks.Core.DescriptorBudget(10_000, 10);
        _ = new ProxyHost.Hosting.HostDescriptorBudget(single, 4, socksListeners: 1);

        (single.SessionDescriptors - budget.SessionDescriptors).Should().Be(2);
        budget.Parts.Should().Contain(p => p.Name == ProxyHost.Hosting.HostDescriptorBudget.MoreListenersPart);
        before.Should().BeGreaterThan(budget.SessionDescriptors);
    }

    private static HostSettings Parse(params string[] args)
    {
        var outcome = ArgumentParser.Parse(args, new Hashtable(), new StringWriter(), new StringWriter());
        outcome.ExitCode.Should().Be(0);
        return outcome.Settings!;
    }
}
