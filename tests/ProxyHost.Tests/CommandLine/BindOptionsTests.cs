using ProxyHost.CommandLine;

namespace ProxyHost.Tests.CommandLine;

/// <summary>The BIND flags: --bind, --no-bind, --bind-timeout (docs/socks5d.8 OPTIONS).</summary>
public sealed class BindOptionsTests
{
    [Test]
    public void Parse_NoBindFlags_ServesBindWithTwoMinutes()
    {
        var settings = ParseOk();

        settings.AllowBind.Should().BeTrue();
        settings.BindTimeout.Should().Be(TimeSpan.FromMinutes(2));
    }

    [TestCase(true, "--bind")]
    [TestCase(false, "--no-bind")]
    public void Parse_BindSwitch_IsRead(bool expected, string flag) =>
        ParseOk(flag).AllowBind.Should().Be(expected);

    [TestCase("--bind-timeout", "1s", 1_000)]
    [TestCase("--bind-timeout=90", "", 90_000)]
    public void Parse_BindTimeout_IsRead(string flag, string value, int milliseconds) =>
        ParseOk(value.Length == 0 ? [flag] : [flag, value]).BindTimeout.Should().Be(TimeSpan.FromMilliseconds(milliseconds));

    [TestCase("socks5d: --bind and --no-bind contradict each other: give one", "--bind", "--no-bind")]
    [TestCase("socks5d: invalid duration '0' for --bind-timeout: expected more than 0 seconds, or a number with ms, s, m or h, up to 49 days", "--bind-timeout", "0")]
    [TestCase("socks5d: invalid duration 'soon' for --bind-timeout: expected more than 0 seconds, or a number with ms, s, m or h, up to 49 days", "--bind-timeout=soon")]
    [TestCase("socks5d: option '--no-bind' does not take a value", "--no-bind=yes")]
    public void Parse_BadBindFlags_OneLineThenUsageAndExit64(string expected, params string[] args)
    {
        var stderr = new StringWriter();

        var outcome = ArgumentParser.Parse(args, new StringWriter(), stderr);

        outcome.ExitCode.Should().Be(64);
        stderr.ToString().Split('\n')[0].TrimEnd('\r').Should().Be(expected);
    }

    [Test]
    public void Usage_ListsTheBindFlags()
    {
        var usage = ArgumentParser.Usage();

        usage.Should().Contain("--bind-timeout").And.Contain("--no-bind").And.Contain("(default 2m)");
    }

    private static HostSettings ParseOk(params string[] args)
    {
        var outcome = ArgumentParser.Parse(args, new StringWriter(), new StringWriter());
        outcome.ExitCode.Should().Be(0);
        return outcome.Settings!;
    }
}
