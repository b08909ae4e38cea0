using System.Net;
using Socks.Core.AccessLog;
using Socks.Core.Dissectors;
using Socks.Core.Logging;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Logging;

/// <summary>
/// The sample lines in docs/access-log.md are produced by the formatters from these records; the
/// test fails if the document and the formatters disagree.
/// </summary>
public class DocumentationSampleTests
{
    private static readonly IPEndPoint AliceClient = new(IPAddress.Parse("192.0.2.10"), 51234);
    private static readonly IPEndPoint BobClient = new(IPAddress.Parse("192.0.2.11"), 40022);
    private static readonly IPEndPoint PopServer = new(IPAddress.Parse("198.51.100.25"), 110);
    private static readonly IPEndPoint Mallory = new(IPAddress.Parse("198.51.100.77"), 40110);

    internal static IEnumerable<AccessLogRecord> AccessSamples()
    {
        const SocksCommand Connect = SocksCommand.Connect;
        yield return Access("2026-11-26T08:01:02.123Z", 1333, "alice", AliceClient, "example.com", 443, new(IPAddress.Parse("93.184.216.34"), 443), ReplyCode.Succeeded, 512, 4096, Connect, AccessLogEndReason.Ok);
        yield return Access("2026-11-26T08:05:10.007Z", 30505, "bob", BobClient, "pop.example.net", 110, PopServer, ReplyCode.Succeeded, 96, 18234, Connect, AccessLogEndReason.Ok);
        yield return Access("2026-11-26T09:12:00.250Z", 12, "alice", new(IPAddress.Parse("192.0.2.10"), 51300), "intranet.example", 80, null, ReplyCode.ConnectionNotAllowed, 0, 0, Connect, AccessLogEndReason.Denied);
        yield return Access("2026-11-26T10:00:00.000Z", 10001, "bob", new(IPAddress.Parse("2001:db8::10"), 50000), "2001:db8::1", 8080, null, ReplyCode.TtlExpired, 0, 0, Connect, AccessLogEndReason.DialFailed);
        yield return Access("2026-11-26T10:30:00.100Z", 1, null, new(IPAddress.Parse("203.0.113.9"), 61000), null, 0, null, null, 0, 0, null, AccessLogEndReason.ClientClosed);
        yield return Access("2026-11-26T11:00:00.000Z", 3, "admin", Mallory, null, 0, null, null, 0, 0, null, AccessLogEndReason.AuthFailed);
        yield return Access("2026-11-26T11:00:00.210Z", 2, "root", new(IPAddress.Parse("198.51.100.77"), 40112), null, 0, null, null, 0, 0, null, AccessLogEndReason.AuthFailed);
        yield return Access("2026-11-26T11:00:01.004Z", 2, "admin", new(IPAddress.Parse("2001:db8::66"), 41000), null, 0, null, null, 0, 0, null, AccessLogEndReason.AuthFailed);
        yield return Access("2026-11-26T11:05:00.000Z", 0, null, new(IPAddress.Parse("203.0.113.20"), 52000), null, 0, null, null, 0, 0, null, AccessLogEndReason.BadVersion);
        yield return Access("2026-11-26T11:06:00.000Z", 1, null, new(IPAddress.Parse("203.0.113.21"), 52001), null, 0, null, null, 0, 0, null, AccessLogEndReason.NoAcceptableMethod);
        yield return Access("2026-11-26T11:07:00.000Z", 4, "alice", new(IPAddress.Parse("192.0.2.10"), 51400), "192.0.2.99", 21, null, ReplyCode.CommandNotSupported, 0, 0, SocksCommand.Bind, AccessLogEndReason.CommandNotSupported);
        yield return Access("2026-11-26T11:08:00.000Z", 0, null, new(IPAddress.Parse("192.0.2.13"), 60000), null, 0, null, null, 0, 0, null, AccessLogEndReason.ConnectionLimit);
        yield return Access("2026-11-27T07:45:12.900Z", 250, "carol", new(IPAddress.Parse("192.0.2.12"), 33333), "evil\r\nexample.com\t", 443, null, ReplyCode.HostUnreachable, 0, 0, Connect, AccessLogEndReason.DialFailed);
        yield return Access("2026-11-27T08:00:00.000Z", 65020, "carol", new(IPAddress.Parse("192.0.2.12"), 33340), "example.com", 443, new(IPAddress.Parse("2606:2800:220:1:248:1893:25c8:1946"), 443), ReplyCode.Succeeded, 2048, 1_048_576, Connect, AccessLogEndReason.Ok);
    }

    [Test]
    public void AccessLogDocument_ContainsTheFormattedUdpAssociationLine()
    {
        var record = Access("2026-11-27T09:00:00.000Z", 150500, "alice", new(IPAddress.Parse("192.0.2.10"), 51500), "0.0.0.0", 0, null, ReplyCode.Succeeded, 1200, 5400, SocksCommand.UdpAssociate, AccessLogEndReason.Ok)
            with { Udp = new UdpAssociationSummary { DatagramsClientToTarget = 14, DatagramsTargetToClient = 12, Destinations = 2, Dropped = 1 } };

        var line = AccessLogFormatter.Format(record);

        ReadDoc().Should().Contain(line + "\n");
        line.Split('\t').Should().HaveCount(AccessLogFormatter.UdpFieldCount);
    }

    [Test]
    public void AccessLogDocument_ContainsTheFormattedRuleDenialLine()
    {
        var record = Access("2026-11-27T10:00:00.000Z", 2, "bob", new(IPAddress.Parse("192.0.2.11"), 40500), "git.example.org", 22, null, ReplyCode.ConnectionNotAllowed, 0, 0, SocksCommand.Connect, AccessLogEndReason.Denied)
            with { DeniedByRule = 3 };

        var line = AccessLogFormatter.Format(record);

        ReadDoc().Should().Contain(line + "\n");
        line.Split('\t').Should().HaveCount(13);
    }

    internal static IEnumerable<CredentialRecord> CredentialSamples()
    {
        yield return Credential("2026-11-26T08:05:11.204Z", "bob", CredentialMechanism.UserPass, "bob.smith", "hunter2", CredentialOutcome.Rejected);
        yield return Credential("2026-11-26T08:05:14.870Z", "bob", CredentialMechanism.UserPass, "bob.smith", "Hunter2!", CredentialOutcome.Accepted);
        yield return Credential("2026-11-27T06:30:00.015Z", null, CredentialMechanism.AuthPlain, "carol@example.net", "pa\tss", CredentialOutcome.Unknown);
        yield return Credential("2026-11-27T06:31:10.500Z", null, CredentialMechanism.Apop, "mrose", "c4c9334bac560ecc979e58001b3e22fb", CredentialOutcome.Accepted);
        yield return Credential("2026-11-27T07:12:40.001Z", "bob", CredentialMechanism.Basic, "bob", "Winter2026", CredentialOutcome.Rejected) with
        {
            Protocol = "HTTP", ServerName = "intranet.example.net"u8.ToArray(), Server = new IPEndPoint(IPAddress.Parse("198.51.100.80"), 80),
        };
        yield return Credential("2026-11-27T07:15:02.310Z", "bob", CredentialMechanism.Login, "bob.smith", "Hunter2!", CredentialOutcome.Accepted) with
        {
            Protocol = "IMAP", ServerName = "imap.example.net"u8.ToArray(), Server = new IPEndPoint(IPAddress.Parse("198.51.100.143"), 143),
        };
        yield return Credential("2026-11-27T07:20:30.500Z", null, CredentialMechanism.AuthLogin, "carol@example.net", "s3cret", CredentialOutcome.Rejected) with
        {
            Protocol = "SMTP", ServerName = "smtp.example.net"u8.ToArray(), Server = new IPEndPoint(IPAddress.Parse("198.51.100.25"), 587),
        };
    }

    [Test]
    public void AccessLogDocument_ContainsTheFormattedSampleLines()
    {
        var doc = ReadDoc();

        foreach (var line in AccessSamples().Select(AccessLogFormatter.Format))
        {
            doc.Should().Contain(line + "\n");
        }
    }

    [Test]
    public void AccessLogDocument_ContainsTheFormattedCredentialLines()
    {
        var doc = ReadDoc();

        foreach (var line in CredentialSamples().Select(CredentialLogFormatter.Format))
        {
            doc.Should().Contain(line + "\n");
        }
    }

    private static string ReadDoc()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "docs", "access-log.md");
            if (File.Exists(path))
            {
                return File.ReadAllText(path);
            }
        }

        Assert.Fail("docs/access-log.md not found above " + TestContext.CurrentContext.TestDirectory);
        return "";
    }

    private static AccessLogRecord Access(string start, int durationMs, string? user, IPEndPoint client, string? host, ushort port, IPEndPoint? connected, ReplyCode? reply, long up, long down, SocksCommand? command, AccessLogEndReason reason)
    {
        var s = DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture);
        return new AccessLogRecord
        {
            Start = s,
            End = s.AddMilliseconds(durationMs),
            Username = user is null ? null : System.Text.Encoding.UTF8.GetBytes(user),
            Client = client,
            RequestedHost = host is null ? null : System.Text.Encoding.UTF8.GetBytes(host),
            RequestedPort = port,
            Connected = connected,
            Reply = reply,
            BytesClientToTarget = up,
            BytesTargetToClient = down,
            Command = command,
            EndReason = reason,
        };
    }

    private static CredentialRecord Credential(string time, string? socksUser, CredentialMechanism mechanism, string user, string secret, CredentialOutcome outcome) => new()
    {
        Time = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture),
        SocksUser = socksUser is null ? null : System.Text.Encoding.UTF8.GetBytes(socksUser),
        Client = socksUser is null ? new IPEndPoint(IPAddress.Parse("203.0.113.9"), 61002) : BobClient,
        ServerName = "pop.example.net"u8.ToArray(),
        Server = PopServer,
        Protocol = "POP3",
        Mechanism = mechanism,
        User = System.Text.Encoding.UTF8.GetBytes(user),
        Secret = System.Text.Encoding.UTF8.GetBytes(secret),
        Outcome = outcome,
    };
}
