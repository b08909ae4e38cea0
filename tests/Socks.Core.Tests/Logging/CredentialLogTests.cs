using System.Net;
using Socks.Core.Dissectors;
using Socks.Core.Logging;
using Socks.Core.Tests.Dissectors.Pop3;

namespace Socks.Core.Tests.Logging;

public class CredentialLogTests
{
    internal static CredentialRecord Sample(int i = 0) => new()
    {
        Time = Pop3Harness.Epoch.AddMinutes(i),
        SocksUser = "bob"u8.ToArray(),
        Client = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 51234),
        ServerName = "pop.example.net"u8.ToArray(),
        Server = new IPEndPoint(IPAddress.Parse("198.51.100.25"), 110),
        Protocol = "POP3",
        Mechanism = CredentialMechanism.UserPass,
        User = "alice"u8.ToArray(),
        Secret = "s3cret"u8.ToArray(),
        Outcome = CredentialOutcome.Accepted,
    };

    [Test]
    public void Format_UserPassAccepted_WritesTenFieldsInOrder()
    {
        CredentialLogFormatter.Format(Sample()).Should().Be(
            "2026-11-26T08:01:02.123Z\tbob\t192.0.2.10:51234\tpop.example.net\t198.51.100.25:110\tPOP3\tUSER/PASS\talice\ts3cret\taccepted");
    }

    [Test]
    public void Format_AnonymousApopRejectedOverIpv6_WritesDashAndBrackets()
    {
        var record = Sample() with
        {
            SocksUser = null,
            Client = new IPEndPoint(IPAddress.Parse("2001:db8::10"), 50000),
            ServerName = "2001:db8::25"u8.ToArray(),
            Server = new IPEndPoint(IPAddress.Parse("2001:db8::25"), 110),
            Mechanism = CredentialMechanism.Apop,
            User = "mrose"u8.ToArray(),
            Secret = "c4c9334bac560ecc979e58001b3e22fb"u8.ToArray(),
            Outcome = CredentialOutcome.Rejected,
        };

        CredentialLogFormatter.Format(record).Should().Be(
            "2026-11-26T08:01:02.123Z\t-\t[2001:db8::10]:50000\t2001:db8::25\t[2001:db8::25]:110\tPOP3\tAPOP\tmrose\tc4c9334bac560ecc979e58001b3e22fb\trejected");
    }

    [Test]
    public void Format_HostilePasswordAndUser_EscapedOnOneLine()
    {
        var record = Sample() with
        {
            Mechanism = CredentialMechanism.AuthPlain,
            User = [.. "a\tb"u8, 0xC3, 0xA9],
            Secret = [.. "p\\w\r\n"u8, 0x00, 0xFF],
            Outcome = CredentialOutcome.Unknown,
        };

        var line = CredentialLogFormatter.Format(record);

        line.Should().EndWith("\tAUTH-PLAIN\ta\\tb\\xC3\\xA9\tp\\\\w\\r\\n\\x00\\xFF\tunknown");
        line.Split('\t').Should().HaveCount(10);
    }

    [Test]
    public void Format_EmptyPassword_WritesEmptyFieldNotDash()
    {
        CredentialLogFormatter.Format(Sample() with { Secret = [] }).Split('\t')[8].Should().BeEmpty();
        CredentialLogFormatter.Format(Sample() with { Secret = "-"u8.ToArray() }).Split('\t')[8].Should().Be("\\x2D");
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Writer_RecordsAppended_FileHoldsTheirLinesAfterDispose()
    {
        var path = Path.Combine(Path.GetTempPath(), "socks-creds-" + Guid.NewGuid().ToString("N") + ".log");
        try
        {
            var writer = new CredentialLogWriter(path);
            var records = Enumerable.Range(0, 50).Select(Sample).ToList();
            records.ForEach(writer.Append);
            await writer.DisposeAsync();

            (await File.ReadAllLinesAsync(path)).Should().Equal(records.Select(CredentialLogFormatter.Format));
            writer.WrittenRecords.Should().Be(50);
            writer.FailedRecords.Should().Be(0);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
