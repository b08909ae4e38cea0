using Socks.Core.Tests.Dissectors.Pop3;
using static Socks.Core.Tests.Dissectors.FamilyHarness;
using static Socks.Core.Tests.Dissectors.Pop3.Pop3Harness;

namespace Socks.Core.Tests.Dissectors.Smtp;

[CancelAfter(TestTimeouts.TestMilliseconds)]
public class SmtpObserverTests
{
    internal static readonly Step[] Session =
    [
        S("220 mail.example.net ESMTP\r\n"),
        C("EHLO client\r\n"),
        S("250-mail.example.net\r\n250-AUTH PLAIN LOGIN\r\n250 PIPELINING\r\n"),
        C("AUTH PLAIN " + Base64("\0alice\0wrong") + "\r\n"),
        S("535 5.7.8 Authentication credentials invalid\r\n"),
        C("auth login\r\n"),
        S("334 VXNlcm5hbWU6\r\n"),
        C(Base64("alice") + "\r\n"),
        S("334 UGFzc3dvcmQ6\r\n"),
        C(Base64("s3cret") + "\r\n"),
        S("235 2.7.0 Authentication successful\r\n"),
        C("AUTH PLAIN " + Base64("\0mallory\0after") + "\r\n"),
        S("503 already authenticated\r\n"),
    ];

    internal static readonly string[] SessionRecords = ["SMTP AuthPlain alice wrong Rejected", "SMTP AuthLogin alice s3cret Accepted"];

    [Test]
    public void PlainAfterChallenge_AndLoginWithInitialUser()
    {
        var harness = new FamilyHarness();

        harness.Run(25,
        [
            S("220 x\r\n"),
            C("AUTH PLAIN\r\n"),
            S("334 \r\n"),
            C(Base64("admin\0bob\0pw1") + "\r\n"),
            S("535 no\r\n"),
            C("AUTH LOGIN " + Base64("bob") + "\r\n"),
            S("334 UGFzc3dvcmQ6\r\n"),
            C(Base64("pw2") + "\r\n"),
            S("235 ok\r\n"),
        ]);

        harness.Records.Should().Equal("SMTP AuthPlain bob pw1 Rejected", "SMTP AuthLogin bob pw2 Accepted");
    }

    [Test]
    public void Pipelined_EhloAndAuthInOneChunk_RepliesInOneChunk()
    {
        var harness = new FamilyHarness();

        harness.Run(587,
        [
            S("220 x\r\n"),
            C("EHLO a\r\nAUTH PLAIN " + Base64("\0u\0p") + "\r\nMAIL FROM:<u@x>\r\n"),
            S("250-x\r\n250 AUTH PLAIN\r\n235 ok\r\n250 ok\r\n"),
        ]);

        harness.Records.Should().Equal("SMTP AuthPlain u p Accepted");
    }

    [Test]
    public void CancelledAndRefusedExchanges_RecordNothing()
    {
        var harness = new FamilyHarness();

        harness.Run(25,
        [
            S("220 x\r\n"),
            C("AUTH LOGIN\r\n"),
            S("334 VXNlcm5hbWU6\r\n"),
            C("*\r\n"),
            S("501 cancelled\r\n"),
            C("AUTH CRAM-MD5\r\n"),
            S("504 unrecognized\r\n"),
            C("QUIT\r\n"),
            S("221 bye\r\n"),
        ]);

        harness.Records.Should().BeEmpty();
    }

    [Test]
    public void StartTlsAccepted_StopsWatching()
    {
        var harness = new FamilyHarness();
        var observer = harness.Create(587);

        Feed(observer, [S("220 x\r\n"), C("STARTTLS\r\n"), S("220 go ahead\r\n"), C("AUTH PLAIN " + Base64("\0u\0p") + "\r\n"), S("235 ok\r\n")]);

        observer.IsFinished.Should().BeTrue();
        harness.Records.Should().BeEmpty();
    }

    [Test]
    public void LineOverTheLimit_StopsAndLogsThePendingCredentialAsUnknown()
    {
        var harness = new FamilyHarness();
        var observer = harness.Create(25);

        Feed(observer, [S("220 x\r\n"), C("AUTH PLAIN " + Base64("\0u\0p") + "\r\n"), S("250-" + new string('x', 1000) + "\r\n")]);

        observer.IsFinished.Should().BeTrue();
        harness.Records.Should().Equal("SMTP AuthPlain u p Unknown");
    }
}
