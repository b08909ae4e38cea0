using Socks.Core.Tests.Dissectors.Pop3;
using static Socks.Core.Tests.Dissectors.FamilyHarness;
using static Socks.Core.Tests.Dissectors.Pop3.Pop3Harness;

namespace Socks.Core.Tests.Dissectors.Imap;

[CancelAfter(TestTimeouts.TestMilliseconds)]
public class ImapObserverTests
{
    /// <summary>Atoms refused, synchronizing literals refused, quoted strings with escapes accepted.</summary>
    internal static readonly Step[] Session =
    [
        S("* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] ready\r\n"),
        C("a1 CAPABILITY\r\n"),
        S("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na1 OK done\r\n"),
        C("a2 LOGIN alice wrong\r\n"),
        S("a2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"),
        C("a3 login {5}\r\n"),
        S("+ OK\r\n"),
        C("alice {11}\r\n"),
        S("+ OK\r\n"),
        C("two\r\nlines!\r\n"),
        S("a3 BAD nope\r\n"),
        C("a4 LOGIN \"alice\" \"s3\\\"cr\\\\et\"\r\n"),
        S("* CAPABILITY IMAP4rev1\r\na4 OK [CAPABILITY IMAP4rev1] Logged in\r\n"),
        C("a5 LOGIN mallory after\r\n"),
        S("a5 OK\r\n"),
    ];

    internal static readonly string[] SessionRecords =
    [
        "IMAP Login alice wrong Rejected",
        "IMAP Login alice two\r\nlines! Rejected",
        "IMAP Login alice s3\"cr\\et Accepted",
    ];

    [Test]
    public void NonSynchronizingLiterals_Pipelined()
    {
        var harness = new FamilyHarness();

        harness.Run(143, [S("* OK ready\r\n"), C("x LOGIN {3+}\r\nbob {2+}\r\npw\r\ny NOOP\r\n"), S("x OK\r\n")]);

        harness.Records.Should().Equal("IMAP Login bob pw Accepted");
    }

    [Test]
    public void AuthenticatePlain_InitialResponseAndChallenge()
    {
        var harness = new FamilyHarness();

        harness.Run(143,
        [
            S("* OK ready\r\n"),
            C("A1 AUTHENTICATE PLAIN " + Base64("\0carol\0pw1") + "\r\n"),
            S("A1 NO bad\r\n"),
            C("A2 authenticate plain\r\n"),
            S("+ \r\n"),
            C(Base64("\0carol\0pw2") + "\r\n"),
            S("A2 OK welcome\r\n"),
        ]);

        harness.Records.Should().Equal("IMAP AuthPlain carol pw1 Rejected", "IMAP AuthPlain carol pw2 Accepted");
    }

    [Test]
    public void TaggedReplySeenBeforeItsCommand_StillMatched()
    {
        var harness = new FamilyHarness();

        harness.Run(143, [S("* OK ready\r\n"), S("t1 NO no\r\n"), C("t1 LOGIN a b\r\n"), C("t2 AUTHENTICATE PLAIN\r\n"), S("+\r\nt2 OK\r\n"), C(Base64("\0c\0d") + "\r\n")]);

        harness.Records.Should().Equal("IMAP Login a b Rejected", "IMAP AuthPlain c d Accepted");
    }

    [Test]
    public void StartTlsAccepted_StopsWatching()
    {
        var harness = new FamilyHarness();
        var observer = harness.Create(143);

        Feed(observer, [S("* OK ready\r\n"), C("s STARTTLS\r\n"), S("s OK Begin TLS\r\n"), C("a LOGIN u p\r\n"), S("a NO\r\n")]);

        observer.IsFinished.Should().BeTrue();
        harness.Records.Should().BeEmpty();
    }

    [Test]
    public void PreauthGreeting_StopsWatching()
    {
        var harness = new FamilyHarness();
        var observer = harness.Create(143);

        Feed(observer, S("* PREAUTH logged in as alice\r\n"));

        observer.IsFinished.Should().BeTrue();
    }

    [Test]
    public void LiteralOverTheLimit_StopsWithoutRecord()
    {
        var harness = new FamilyHarness();
        var observer = harness.Create(143);

        Feed(observer, [S("* OK ready\r\n"), C("a LOGIN alice {9000}\r\n")]);

        observer.IsFinished.Should().BeTrue();
        harness.Records.Should().BeEmpty();
    }

    [Test]
    public void NoReplyBeforeTheEnd_Unknown()
    {
        var harness = new FamilyHarness();

        harness.Run(143, [S("* OK ready\r\n"), C("a LOGIN alice secret\r\n")]);

        harness.Records.Should().Equal("IMAP Login alice secret Unknown");
    }
}
