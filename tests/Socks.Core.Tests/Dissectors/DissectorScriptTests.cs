using Socks.Core.Tests.Dissectors.Ftp;
using Socks.Core.Tests.Dissectors.Http;
using Socks.Core.Tests.Dissectors.Imap;
using Socks.Core.Tests.Dissectors.Pop3;
using Socks.Core.Tests.Dissectors.Smtp;

namespace Socks.Core.Tests.Dissectors;

/// <summary>
/// The main scripted session of each protocol (several logins, refused and accepted, with what makes the
/// protocol tricky: HTTP bodies and keep-alive, FTP and SMTP multi-line replies, IMAP literals and quoted
/// strings), fed three ways: in one chunk per step, cut in two at every byte of every step (and one byte
/// per chunk), and through a relay between real loopback sockets.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public class DissectorScriptTests
{
    public static readonly string[] Protocols = ["HTTP", "FTP", "IMAP", "SMTP"];

    private static (int Port, Step[] Steps, string[] Records) Script(string protocol) => protocol switch
    {
        "HTTP" => (80, HttpObserverTests.KeepAlive, HttpObserverTests.KeepAliveRecords),
        "FTP" => (21, FtpObserverTests.Session, FtpObserverTests.SessionRecords),
        "IMAP" => (143, ImapObserverTests.Session, ImapObserverTests.SessionRecords),
        _ => (587, SmtpObserverTests.Session, SmtpObserverTests.SessionRecords),
    };

    [TestCaseSource(nameof(Protocols))]
    public void WholeSteps_OneRecordPerCredential_WithTheProtocolAndSession(string protocol)
    {
        var (port, steps, expected) = Script(protocol);
        var harness = new FamilyHarness();

        harness.Run(port, steps);

        harness.Records.Should().Equal(expected);
        foreach (var record in harness.Sink.Records)
        {
            record.Protocol.Should().Be(protocol);
            record.Server.Port.Should().Be(port);
            Pop3Harness.Text(record.ServerName).Should().Be("pop.example.net");
            Pop3Harness.Text(record.SocksUser).Should().Be("bob");
            record.Time.Should().Be(Pop3Harness.Epoch);
        }
    }

    [TestCaseSource(nameof(Protocols))]
    public void SplitAtEveryByte_SameRecords(string protocol)
    {
        var (port, steps, expected) = Script(protocol);
        foreach (var (split, records) in FamilyHarness.SplitEverywhere(port, steps))
        {
            records.Should().Equal(expected, $"{protocol}, {split}");
        }
    }

    [TestCaseSource(nameof(Protocols))]
    public async Task OverRealSockets_SameRecords_BytesUnchanged(string protocol)
    {
        var (port, steps, expected) = Script(protocol);
        var harness = new FamilyHarness();

        await harness.RunOverLoopbackAsync(port, steps, TestContext.CurrentContext.CancellationToken);

        harness.Records.Should().Equal(expected, protocol);
    }
}
