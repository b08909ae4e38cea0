using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Admin;

/// <summary>
/// The real <c>mcpctl dissector status|on|off</c> against the real socks5d (MCP extensions 0x83/0x84): the state read
/// and set explicitly, idempotent, in step with <c>toggle-dissector</c>.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class DissectorVerbEndToEndTests
{
    [Test]
    public async Task Dissector_StatusOnOff_ReadsAndSetsTheRealSwitch()
    {
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "admin:adminpw");

        (await proxy.McpctlAsync("dissector", "status")).Should().Be(new RunResult(0, "dissector is on\n", ""), "it starts on without -N");
        (await proxy.McpctlAsync("dissector", "status")).Should().Be(new RunResult(0, "dissector is on\n", ""), "reading changes nothing");

        (await proxy.McpctlAsync("dissector", "off")).Should().Be(new RunResult(0, "dissector is now off\n", ""));
        (await proxy.McpctlAsync("dissector", "off")).Should().Be(new RunResult(0, "dissector is now off\n", ""), "setting the state it has is not an error");
        (await proxy.McpctlAsync("dissector", "status", "--json")).Should().Be(new RunResult(0, "{\"dissector\":false}\n", ""));

        (await proxy.McpctlAsync("toggle-dissector")).Stdout.Should().Be("dissector is now on\n", "the old verb sees the state the new one set");
        (await proxy.McpctlAsync("dissector", "on")).Should().Be(new RunResult(0, "dissector is now on\n", ""));
        (await proxy.McpctlAsync("dissector", "--json", "off")).Should().Be(new RunResult(0, "{\"dissector\":false}\n", ""));
        (await proxy.McpctlAsync("toggle-dissector")).Stdout.Should().Be("dissector is now on\n");

        await proxy.Process.WaitForLineAsync(line => line.Contains("dissector set off, now off", StringComparison.Ordinal));
    }

    [Test]
    public async Task Dissector_StartedWithN_StatusSaysOffAndOnTurnsItOn()
    {
        await using var proxy = await RunningProxy.StartAsync("-N", "-l", "127.0.0.1", "-p", "0", "-u", "admin:adminpw");

        (await proxy.McpctlAsync("dissector", "status")).Stdout.Should().Be("dissector is off\n");
        (await proxy.McpctlAsync("dissector", "on")).Stdout.Should().Be("dissector is now on\n");
        (await proxy.McpctlAsync("dissector", "status")).Stdout.Should().Be("dissector is on\n");
    }
}
