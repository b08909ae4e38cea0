using System.Net;
using System.Text;
using ProxyHost.CommandLine;

namespace ProxyHost.Tests.CommandLine;

public sealed class ArgumentParserTests
{
    [Test]
    public void Parse_NoArguments_UsesTheDefaults()
    {
        var settings = ParseOk();

        settings.ListenAddresses.Should().BeEmpty();
        settings.Port.Should().Be(1080);
        settings.ManagementEndPoint.Should().Be(new IPEndPoint(IPAddress.Loopback, 8080));
        settings.Users.Should().BeEmpty();
        settings.AllowAnonymous.Should().BeFalse();
        settings.AllowAllDestinations.Should().BeFalse("link-local, metadata and the like are refused by default");
        settings.DissectorEnabled.Should().BeTrue();
        settings.HandshakeTimeout.Should().Be(TimeSpan.FromSeconds(10));
        settings.ConnectTimeout.Should().Be(TimeSpan.FromSeconds(10));
        settings.IdleTimeout.Should().Be(TimeSpan.FromMinutes(15));
        settings.DrainTimeout.Should().Be(TimeSpan.FromSeconds(30));
        settings.MaxConnections.Should().Be(0);
    }

    [TestCase("-p", "1081")]
    [TestCase("-p1081")]
    [TestCase("--port", "1081")]
    [TestCase("--port=1081")]
    public void Parse_PortInEveryForm_IsRead(params string[] args) =>
        ParseOk(args).Port.Should().Be(1081);

    [Test]
    public void Parse_GroupedFlagsWithAttachedValue_AreRead()
    {
        var settings = ParseOk("-Np9999");

        settings.DissectorEnabled.Should().BeFalse();
        settings.Port.Should().Be(9999);
    }

    [Test]
    public void Parse_AllOptions_AreRead()
    {
        var settings = ParseOk(
            "-l", "::1", "-p", "0", "-L", "127.0.0.2", "-P", "9090", "-u", "alice:s3cr:et", "-u", "bob:pw", "-N",
            "--allow-anonymous", "--allow-all-destinations", "--handshake-timeout", "2.5s", "--connect-timeout=500ms", "--idle-timeout", "0",
            "--drain-timeout", "1m", "--max-connections", "100");

        settings.ListenAddresses.Should().Equal(IPAddress.IPv6Loopback);
        settings.Port.Should().Be(0);
        settings.ManagementEndPoint.Should().Be(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 9090));
        settings.Users.Select(u => (Encoding.UTF8.GetString(u.Username), Encoding.UTF8.GetString(u.Password)))
            .Should().Equal(("alice", "s3cr:et"), ("bob", "pw"));
        settings.DissectorEnabled.Should().BeFalse();
        settings.AllowAnonymous.Should().BeTrue();
        settings.AllowAllDestinations.Should().BeTrue();
        settings.HandshakeTimeout.Should().Be(TimeSpan.FromSeconds(2.5));
        settings.ConnectTimeout.Should().Be(TimeSpan.FromMilliseconds(500));
        settings.IdleTimeout.Should().Be(Timeout.InfiniteTimeSpan);
        settings.DrainTimeout.Should().Be(TimeSpan.FromMinutes(1));
        settings.MaxConnections.Should().Be(100);
    }

    [Test]
    public void Parse_Relay_DefaultsToTheKernelOnLinux()
    {
        ParseOk().KernelRelay.Should().Be(OperatingSystem.IsLinux());
        ParseOk("--relay", "splice").KernelRelay.Should().BeTrue();
        ParseOk("--relay=user").KernelRelay.Should().BeFalse();
    }

    [Test]
    public void Parse_UdpOptions_AreRead()
    {
        var defaults = ParseOk();
        defaults.UdpAssociate.Should().BeTrue();
        defaults.UdpIdleTimeout.Should().Be(TimeSpan.FromMinutes(2));

        ParseOk("--udp").UdpAssociate.Should().BeTrue();
        ParseOk("--no-udp").UdpAssociate.Should().BeFalse();
        ParseOk("--udp-idle-timeout", "30s").UdpIdleTimeout.Should().Be(TimeSpan.FromSeconds(30));
        ParseOk("--udp-idle-timeout=0").UdpIdleTimeout.Should().Be(Timeout.InfiniteTimeSpan);
    }

    [Test]
    public void Parse_UserWithMultibyteName_CountsUtf8Bytes()
    {
        var name = new string('é', 127);

        ParseOk("-u", $"{name}:pw").Users.Single().Username.Should().HaveCount(254);
        ParseFails(["-u", $"{name}é:pw"]).Should().StartWith("socks5d: invalid value for -u (user 1): the user name must be 1..255 bytes of UTF-8, not 256");
    }

    [Test]
    public void Parse_Help_PrintsUsageToStdoutAndExitsZero()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var outcome = ArgumentParser.Parse(["-h"], stdout, stderr);

        outcome.ExitCode.Should().Be(0);
        outcome.Settings.Should().BeNull();
        stdout.ToString().Should().StartWith("usage: socks5d").And.Contain("--max-connections");
        stderr.ToString().Should().BeEmpty();
    }

    [Test]
    public void Parse_Version_PrintsVersionAndExitsZero()
    {
        var stdout = new StringWriter();

        var outcome = ArgumentParser.Parse(["--version"], stdout, new StringWriter());

        outcome.ExitCode.Should().Be(0);
        stdout.ToString().Should().MatchRegex(@"^socks5d \d+\.\d+\.\d+\s*$");
    }

    [TestCase("socks5d: unknown option '-x'", "-x")]
    [TestCase("socks5d: unknown option '--bogus'", "--bogus")]
    [TestCase("socks5d: option '-p' requires a value", "-p")]
    [TestCase("socks5d: option '-p' requires a value", "-p", "-N")]
    [TestCase("socks5d: option '-u' requires a value", "-Nu")]
    [TestCase("socks5d: option '--port' requires a value", "--port")]
    [TestCase("socks5d: option '-p' given more than once", "-p", "1", "-p", "2")]
    [TestCase("socks5d: option '--port' given more than once (also as '-p')", "-p", "1", "--port", "2")]
    [TestCase("socks5d: option '--allow-anonymous' does not take a value", "--allow-anonymous=yes")]
    [TestCase("socks5d: option '--allow-all-destinations' does not take a value", "--allow-all-destinations=yes")]
    [TestCase("socks5d: invalid port '65536' for -p: expected 0..65535", "-p", "65536")]
    [TestCase("socks5d: invalid port 'http' for -p: expected 0..65535", "-p", "http")]
    [TestCase("socks5d: invalid port '+80' for -p: expected 0..65535", "-p", "+80")]
    [TestCase("socks5d: invalid port '70000' for -P: expected 0..65535", "-P", "70000")]
    [TestCase("socks5d: invalid address 'localhost' for -l: expected an IPv4 or IPv6 address", "-l", "localhost")]
    [TestCase("socks5d: invalid address '127.1' for -l: expected an IPv4 or IPv6 address", "-l", "127.1")]
    [TestCase("socks5d: invalid address '300.0.0.1' for -L: expected an IPv4 or IPv6 address, or unix:PATH", "-L", "300.0.0.1")]
    [TestCase("socks5d: invalid value for -u (user 1): expected user:pass", "-u", "nocolon")]
    [TestCase("socks5d: invalid value for -u (user 1): the user name must be 1..255 bytes of UTF-8, not 0", "-u", ":pw")]
    [TestCase("socks5d: invalid value for -u (user 2): the password must be 1..255 bytes of UTF-8, not 0", "-u", "a:b", "-u", "c:")]
    [TestCase("socks5d: invalid value for -u (user 2): user 'a' given more than once", "-u", "a:b", "-u", "a:c")]
    [TestCase("socks5d: invalid duration '0' for --handshake-timeout: expected more than 0 seconds, or a number with ms, s, m or h, up to 49 days", "--handshake-timeout", "0")]
    [TestCase("socks5d: invalid duration '5x' for --idle-timeout: expected 0 or more seconds, or a number with ms, s, m or h, up to 49 days", "--idle-timeout=5x")]
    [TestCase("socks5d: invalid duration '100d' for --drain-timeout: expected 0 or more seconds, or a number with ms, s, m or h, up to 49 days", "--drain-timeout", "100d")]
    [TestCase("socks5d: invalid duration '2 min' for --udp-idle-timeout: expected 0 or more seconds, or a number with ms, s, m or h, up to 49 days", "--udp-idle-timeout", "2 min")]
    [TestCase("socks5d: --udp and --no-udp contradict each other: give one", "--udp", "--no-udp")]
    [TestCase("socks5d: invalid value 'kernel' for --relay: expected splice or user", "--relay", "kernel")]
    [TestCase("socks5d: option '--no-udp' does not take a value", "--no-udp=yes")]
    [TestCase("socks5d: invalid value 'many' for --max-connections: expected a whole number 0..2147483647", "--max-connections", "many")]
    [TestCase("socks5d: invalid value 'loud' for --log-level: expected trace, debug, information, warning, error or critical", "--log-level", "loud")]
    [TestCase("socks5d: invalid value 'Debug' for --log-level: expected trace, debug, information, warning, error or critical", "--log-level=Debug")]
    [TestCase("socks5d: invalid value 'xml' for --log-format: expected text or json", "--log-format", "xml")]
    [TestCase("socks5d: option '--log-level' requires a value", "--log-level")]
    [TestCase("socks5d: unexpected argument 'extra'", "extra")]
    [TestCase("socks5d: unexpected argument '-p'", "--", "-p")]
    public void Parse_BadInput_OneLineNamingItThenUsageAndExit64(string expected, params string[] args)
    {
        var stderr = new StringWriter();
        var stdout = new StringWriter();

        var outcome = ArgumentParser.Parse(args, stdout, stderr);

        outcome.ExitCode.Should().Be(64);
        outcome.Settings.Should().BeNull();
        stdout.ToString().Should().BeEmpty();
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].TrimEnd('\r').Should().Be(expected);
        lines[1].Should().StartWith("usage: socks5d");
    }

    [Test]
    public void Parse_BadUserValue_NeverEchoesThePassword()
    {
        var line = ParseFails(["-u", "alice:", "-u", "nocolon-secret"]);

        line.Should().NotContain("secret");
    }

    [TestCase("30", 30_000)]
    [TestCase("1.5s", 1_500)]
    [TestCase("250ms", 250)]
    [TestCase("15m", 900_000)]
    [TestCase("2h", 7_200_000)]
    [TestCase("0", 0)]
    public void Durations_ValidText_Parses(string text, int milliseconds)
    {
        Durations.TryParse(text, out var value).Should().BeTrue();
        value.Should().Be(TimeSpan.FromMilliseconds(milliseconds));
    }

    [TestCase("")]
    [TestCase("s")]
    [TestCase("-1")]
    [TestCase("1e3")]
    [TestCase("1,5s")]
    [TestCase("50d")]
    [TestCase("NaN")]
    public void Durations_InvalidText_IsRejected(string text) =>
        Durations.TryParse(text, out _).Should().BeFalse();

    [Test]
    public void Parse_LogFlags_DefaultToInformationText()
    {
        var settings = ParseOk("-p", "0");

        settings.LogLevel.Should().Be(Microsoft.Extensions.Logging.LogLevel.Information);
        settings.JsonLog.Should().BeFalse();
    }

    [TestCase("trace", Microsoft.Extensions.Logging.LogLevel.Trace)]
    [TestCase("debug", Microsoft.Extensions.Logging.LogLevel.Debug)]
    [TestCase("info", Microsoft.Extensions.Logging.LogLevel.Information)]
    [TestCase("information", Microsoft.Extensions.Logging.LogLevel.Information)]
    [TestCase("warn", Microsoft.Extensions.Logging.LogLevel.Warning)]
    [TestCase("warning", Microsoft.Extensions.Logging.LogLevel.Warning)]
    [TestCase("error", Microsoft.Extensions.Logging.LogLevel.Error)]
    [TestCase("critical", Microsoft.Extensions.Logging.LogLevel.Critical)]
    public void Parse_LogLevel_IsRead(string text, Microsoft.Extensions.Logging.LogLevel expected)
    {
        ParseOk("--log-level", text, "--log-format=json").Should().Match<HostSettings>(s => s.LogLevel == expected && s.JsonLog);
    }

    private static HostSettings ParseOk(params string[] args)
    {
        var stderr = new StringWriter();
        var outcome = ArgumentParser.Parse(args, new StringWriter(), stderr);
        stderr.ToString().Should().BeEmpty();
        outcome.ExitCode.Should().Be(0);
        return outcome.Settings!;
    }

    private static string ParseFails(string[] args)
    {
        var stderr = new StringWriter();
        ArgumentParser.Parse(args, new StringWriter(), stderr).ExitCode.Should().Be(64);
        return stderr.ToString().Split('\n')[0];
    }
}
