using Socks.Core.Dissectors;
using Socks.Core.Tests.Dissectors.Pop3;
using static Socks.Core.Tests.Dissectors.FamilyHarness;
using static Socks.Core.Tests.Dissectors.Pop3.Pop3Harness;

namespace Socks.Core.Tests.Dissectors.Http;

[CancelAfter(TestTimeouts.TestMilliseconds)]
public class HttpObserverTests
{
    private const string FakeResponse = "HTTP/1.1 200 OK\r\nnot a status line...\n";

    private static readonly string FakeHeaders = "Authorization: Basic " + Base64("body:not-a-header") + "\r\n\r\nxxxxx";

    /// <summary>Keep-alive: a refused Basic login, a body of known length, then an accepted one with a chunked body.</summary>
    internal static readonly Step[] KeepAlive =
    [
        C("GET /private HTTP/1.1\r\nHost: www.example.net\r\nAuthorization: Basic " + Base64("alice:wrong") + "\r\n\r\n"),
        S("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: " + FakeResponse.Length + "\r\n\r\n" + FakeResponse),
        C("POST /private HTTP/1.1\r\nHost: www.example.net\r\nauthorization: basic " + Base64("alice:pa:ss word") + "\r\nContent-Length: " + FakeHeaders.Length + "\r\n\r\n"),
        C(FakeHeaders),
        S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n19\r\nHTTP/1.1 401 in a chunk\r\n\r\n0\r\n\r\n"),
        C("GET /again HTTP/1.1\r\nHost: www.example.net\r\n\r\n"),
        S("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"),
    ];

    internal static readonly string[] KeepAliveRecords =
    [
        "HTTP Basic alice wrong Rejected",
        "HTTP Basic alice pa:ss word Accepted",
    ];

    [Test]
    public void Pipelined_RequestsBeforeResponses_MatchedInOrder()
    {
        var harness = new FamilyHarness();

        harness.Run(80,
        [
            C("HEAD / HTTP/1.1\r\nAuthorization: Basic " + Base64("a:1") + "\r\n\r\nGET / HTTP/1.1\r\nAuthorization: Basic " + Base64("b:2") + "\r\n\r\n"
                + "GET / HTTP/1.0\r\nProxy-Authorization: Basic " + Base64("c:3") + "\r\n\r\n"),
            S("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"),
            S("HTTP/1.1 302 Found\r\nContent-Length: 3\r\n\r\nabcHTTP/1.0 407 Proxy Authentication Required\r\n\r\n"),
        ]);

        harness.Records.Should().Equal("HTTP Basic a 1 Accepted", "HTTP Basic b 2 Accepted", "HTTP Basic c 3 Rejected");
    }

    [Test]
    public void InterimResponse_DoesNotAnswerTheRequest()
    {
        var harness = new FamilyHarness();

        harness.Run(80,
        [
            C("PUT /f HTTP/1.1\r\nAuthorization: Basic " + Base64("u:p") + "\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"),
            S("HTTP/1.1 100 Continue\r\n\r\n"),
            C("ok"),
            S("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"),
        ]);

        harness.Records.Should().Equal("HTTP Basic u p Rejected");
    }

    [Test]
    public void NoResponseBeforeTheEnd_Unknown()
    {
        var harness = new FamilyHarness();

        harness.Run(80, [C("GET / HTTP/1.1\r\nAuthorization: Basic " + Base64("u:p") + "\r\n\r\n")]);

        harness.Records.Should().Equal("HTTP Basic u p Unknown");
    }

    [Test]
    public void HeaderLineOverTheLimit_StopsWithoutRecord()
    {
        var harness = new FamilyHarness();
        var observer = harness.Create(80);

        Feed(observer, C("GET / HTTP/1.1\r\nCookie: " + new string('x', 8200) + "\r\nAuthorization: Basic " + Base64("u:p") + "\r\n\r\n"));

        observer.IsFinished.Should().BeTrue();
        ((IDisposable)observer).Dispose();
        harness.Records.Should().BeEmpty();
    }

    [Test]
    public void ResponseUntilClose_EndsTheWatchAfterRecording()
    {
        var harness = new FamilyHarness();
        var observer = harness.Create(80);

        Feed(observer, [C("GET / HTTP/1.0\r\nAuthorization: Basic " + Base64("u:p") + "\r\n\r\n"), S("HTTP/1.0 200 OK\r\n\r\n<html>")]);

        observer.IsFinished.Should().BeTrue("the body lasts until the connection closes");
        harness.Records.Should().Equal("HTTP Basic u p Accepted");
    }

    [Test]
    public void OtherPort_NotWatched_NoObserver()
    {
        new FamilyHarness().Factory.Create(Session(8000)).Should().BeNull();
    }

    [Test]
    public void OtherPort_DetectionOn_FindsRequestLineAndIgnoresOtherProtocols()
    {
        var harness = new FamilyHarness(sniff: [DissectorProtocol.Http]);

        harness.Run(8000, [C("GET / HTTP/1.1\r\nAuthorization: Basic " + Base64("u:p") + "\r\n\r\n"), S("HTTP/1.1 204 No Content\r\n\r\n")]);
        var ssh = harness.Create(8000);
        Feed(ssh, S("SSH-2.0-OpenSSH_9.2\r\n"));
        var tls = harness.Create(8000);
        Feed(tls, C("\u0016\u0003\u0001\u0002\u0000"));

        harness.Records.Should().Equal("HTTP Basic u p Accepted");
        ssh.IsFinished.Should().BeTrue();
        tls.IsFinished.Should().BeTrue();
    }

    [Test]
    public void Connect_Accepted_EndsTheWatch()
    {
        var harness = new FamilyHarness();
        var observer = harness.Create(8080);

        Feed(observer, [C("CONNECT a:443 HTTP/1.1\r\nProxy-Authorization: Basic " + Base64("u:p") + "\r\n\r\n"), S("HTTP/1.1 200 Connection established\r\n\r\n")]);

        observer.IsFinished.Should().BeTrue();
        harness.Records.Should().Equal("HTTP Basic u p Accepted");
    }
}
