using System.Net;
using System.Net.Sockets;
using ProxyHost.CommandLine;

namespace ProxyHost.Tests.CommandLine;

/// <summary>-L unix:PATH, -P with it, and --mcp-allow-uid (names looked up in the real account database).</summary>
public sealed class ManagementOptionsTests
{
    [Test]
    public void Parse_UnixSocketPath_IsAUnixEndPointWithTheAbsolutePath()
    {
        var settings = ParseOk("-L", "unix:/run/socks5d/mcp.sock");

        settings.ManagementEndPoint.Should().BeOfType<UnixDomainSocketEndPoint>().Which.ToString().Should().Be("/run/socks5d/mcp.sock");
    }

    [Test]
    public void Parse_RelativeUnixSocketPath_IsMadeAbsolute()
    {
        var settings = ParseOk("--mgmt-address=unix:mcp.sock");

        settings.ManagementEndPoint.ToString().Should().Be(Path.Combine(Directory.GetCurrentDirectory(), "mcp.sock"));
    }

    [Test]
    public void Parse_NoManagementFlags_ServesRootAndOwnUidOnly()
    {
        var settings = ParseOk();

        settings.ManagementEndPoint.Should().Be(new IPEndPoint(IPAddress.Loopback, 8080));
        settings.ManagementAllowedUids.Should().BeEmpty("root and socks5d's own uid are added by the host, always");
        settings.ManagementAllowsAnyClient.Should().BeFalse();
    }

    [Test]
    public void Parse_AllowUidList_ResolvesNamesAndKeepsNumbers()
    {
        var settings = ParseOk("--mcp-allow-uid", "1234, nobody,0,1234");

        settings.ManagementAllowedUids.Should().Equal(0u, 1234u, 65534u);
        settings.ManagementAllowsAnyClient.Should().BeFalse();
    }

    [Test]
    public void Parse_AllowUidAny_ServesEveryClient() =>
        ParseOk("--mcp-allow-uid=any").ManagementAllowsAnyClient.Should().BeTrue();

    [TestCase(new[] { "-L", "unix:/run/mcp.sock", "-P", "9090" }, "socks5d: option '-P' does not apply to -L unix:PATH (a Unix socket has no port)")]
    [TestCase(new[] { "-P9090", "-L", "unix:/run/mcp.sock" }, "socks5d: option '-P' does not apply to -L unix:PATH (a Unix socket has no port)")]
    [TestCase(new[] { "-L", "unix:" }, "socks5d: invalid value for -L: expected unix:PATH with a file path, e.g. unix:/run/socks5d/mcp.sock")]
    [TestCase(new[] { "-L", "unix:/run/socks5d/" }, "socks5d: invalid value for -L: unix:/run/socks5d/ names a directory; expected the socket's file path, e.g. unix:/run/socks5d/mcp.sock")]
    [TestCase(new[] { "-L", "localhost" }, "socks5d: invalid address 'localhost' for -L: expected an IPv4 or IPv6 address, or unix:PATH")]
    [TestCase(new[] { "--mcp-allow-uid", "no-such-user-here" }, "socks5d: invalid value 'no-such-user-here' in --mcp-allow-uid: no such user")]
    [TestCase(new[] { "--mcp-allow-uid", "0,,1" }, "socks5d: invalid value for --mcp-allow-uid: expected a comma-separated list of uids, user names or any (an entry is empty)")]
    [TestCase(new[] { "--mcp-allow-uid", "4294967295" }, "socks5d: invalid uid '4294967295' in --mcp-allow-uid: expected 0..4294967294")]
    [TestCase(new[] { "--mcp-allow-uid", "99999999999" }, "socks5d: invalid uid '99999999999' in --mcp-allow-uid: expected 0..4294967294")]
    [TestCase(new[] { "--mcp-allow-uid", "0", "--mcp-allow-uid", "1" }, "socks5d: option '--mcp-allow-uid' given more than once")]
    [TestCase(new[] { "--mcp-allow-uid" }, "socks5d: option '--mcp-allow-uid' requires a value")]
    public void Parse_BadManagementFlags_ExitUsageWithOneLine(string[] args, string expected) => ParseFails(args).Should().Be(expected);

    [Test]
    public void Parse_SocketPathLongerThanSunPath_IsRefusedWithItsLength()
    {
        var path = "/" + new string('s', 107);

        ParseFails(["-L", "unix:" + path]).Should().Be($"socks5d: invalid value for -L: the socket path {path} is 108 bytes; a Unix socket path is at most 107 bytes");
        ParseOk("-L", "unix:" + path[..^1]).ManagementEndPoint.ToString().Should().HaveLength(107);
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
