using Socks.Core.Tests.Dissectors.Pop3;
using static Socks.Core.Tests.Dissectors.Pop3.Pop3Harness;

namespace Socks.Core.Tests.Dissectors.Ftp;

[CancelAfter(TestTimeouts.TestMilliseconds)]
public class FtpObserverTests
{
    /// <summary>A multi-line greeting, a refused login, lower-case commands, then an accepted one.</summary>
    internal static readonly Step[] Session =
    [
        S("220-Welcome\r\n230 this line is inside the greeting\r\n220 ready\r\n"),
        C("USER alice\r\n"),
        S("331 Password required for alice\r\n"),
        C("PASS wrong\r\n"),
        S("530 Login incorrect.\r\n"),
        C("user alice\r\n"),
        S("331 Password required\r\n"),
        C("pass s3cret with spaces\r\n"),
        S("230-Welcome\r\n530 still the 230 reply\r\n230 Logged in\r\n"),
        C("USER mallory\r\nPASS after-login\r\n"),
        S("331 x\r\n230 y\r\n"),
    ];

    internal static readonly string[] SessionRecords = ["FTP UserPass alice wrong Rejected", "FTP UserPass alice s3cret with spaces Accepted"];

    [Test]
    public void Pipelined_UserAndPassInOneChunk_RepliesLater()
    {
        var harness = new FamilyHarness();

        harness.Run(21, [S("220 ready\r\n"), C("USER bob\r\nPASS pw1\r\nUSER bob\r\nPASS pw2\r\n"), S("331 a\r\n530 b\r\n331 c\r\n230 d\r\n")]);

        harness.Records.Should().Equal("FTP UserPass bob pw1 Rejected", "FTP UserPass bob pw2 Accepted");
    }

    [Test]
    public void PassWithoutAcceptedUser_NotRecorded()
    {
        var harness = new FamilyHarness();

        harness.Run(21, [S("220 ready\r\n"), C("PASS orphan\r\n"), S("503 Login with USER first.\r\n"), C("USER x\r\n"), S("530 no\r\n"), C("PASS y\r\n"), S("503 no\r\n")]);

        harness.Records.Should().BeEmpty();
    }

    [Test]
    public void AuthTlsAccepted_StopsWatching()
    {
        var harness = new FamilyHarness();
        var observer = harness.Create(21);

        Feed(observer, [S("220 ready\r\n"), C("AUTH TLS\r\n"), S("234 AUTH TLS successful\r\n"), C("USER alice\r\n"), S("331 x\r\n"), C("PASS secret\r\n"), S("530 x\r\n")]);

        observer.IsFinished.Should().BeTrue();
        harness.Records.Should().BeEmpty();
    }

    [Test]
    public void AuthTlsRefused_GoesOn()
    {
        var harness = new FamilyHarness();

        harness.Run(21, [S("220 ready\r\n"), C("AUTH TLS\r\n"), S("504 not here\r\n"), C("USER alice\r\n"), S("331 x\r\n"), C("PASS secret\r\n"), S("230 x\r\n")]);

        harness.Records.Should().Equal("FTP UserPass alice secret Accepted");
    }

    [Test]
    public void LineOverTheLimit_StopsAndLogsThePendingPassAsUnknown()
    {
        var harness = new FamilyHarness();
        var observer = harness.Create(21);

        Feed(observer, [S("220 ready\r\n"), C("USER alice\r\n"), S("331 x\r\n"), C("PASS secret\r\n"), S("230-" + new string('x', 600) + "\r\n")]);

        observer.IsFinished.Should().BeTrue();
        harness.Records.Should().Equal("FTP UserPass alice secret Unknown");
    }
}
