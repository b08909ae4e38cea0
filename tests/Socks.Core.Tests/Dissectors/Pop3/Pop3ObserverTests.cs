using System.Text;
using Microsoft.Extensions.Logging;
using Socks.Core.Dissectors;
using Socks.Core.Dissectors.Pop3;
using static Socks.Core.Tests.Dissectors.Pop3.Pop3Harness;

namespace Socks.Core.Tests.Dissectors.Pop3;

public class Pop3ObserverTests
{
    private const string Greeting = "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n";

    /// <summary>Two logins, one refused, around a CAPA whose body holds status-looking lines.</summary>
    private static readonly Step[] FullSession =
    [
        S(Greeting),
        C("CAPA\r\n"),
        S("+OK Capability list follows\r\nUSER\r\nSASL PLAIN\r\n+OK not a status line here\r\nPIPELINING\r\n.\r\n"),
        C("USER alice\r\n"),
        S("+OK\r\n"),
        C("PASS wrong\r\n"),
        S("-ERR [AUTH] invalid password\r\n"),
        C("USER alice\r\n"),
        S("+OK\r\n"),
        C("PASS s3cret with spaces\r\n"),
        S("+OK maildrop has 2 messages (320 octets)\r\n"),
        C("USER mallory\r\nPASS after-login\r\n"),
        S("+OK\r\n+OK\r\n"),
    ];

    private static readonly string[] FullSessionRecords =
    [
        "UserPass alice wrong Rejected",
        "UserPass alice s3cret with spaces Accepted",
    ];

    private static string Describe(CredentialRecord r) => $"{r.Mechanism} {Text(r.User)} {Text(r.Secret)} {r.Outcome}";

    private static string[] Records(Pop3Harness harness) => [.. harness.Sink.Records.Select(Describe)];

    private static string Plain(string authzid, string authcid, string password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{authzid}\0{authcid}\0{password}"));

    [Test]
    public void UserPass_Accepted_RecordsCredentialWithSessionDetailsAndStops()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C("USER alice\r\n"), S("+OK\r\n")]);
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        Feed(observer, [C("PASS s3cret\r\n")]);
        harness.Time.Advance(TimeSpan.FromSeconds(3));
        Feed(observer, [S("+OK logged in\r\n")]);

        var record = harness.Sink.Records.Should().ContainSingle().Subject;
        record.Should().BeEquivalentTo(new CredentialRecord
        {
            Time = Epoch.AddSeconds(2),
            SocksUser = "bob"u8.ToArray(),
            Client = Session().Client,
            ServerName = "pop.example.net"u8.ToArray(),
            Server = Session().Target,
            Protocol = "POP3",
            Mechanism = CredentialMechanism.UserPass,
            User = "alice"u8.ToArray(),
            Secret = "s3cret"u8.ToArray(),
            Outcome = CredentialOutcome.Accepted,
        });
        observer.IsFinished.Should().BeTrue();
    }

    [Test]
    public void FullSession_WholeChunks_RecordsRejectedThenAcceptedAndNothingAfterLogin()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, FullSession);

        Records(harness).Should().Equal(FullSessionRecords);
        observer.IsFinished.Should().BeTrue();
    }

    [Test]
    public void FullSession_EachChunkSplitAtEveryPosition_RecordsTheSame()
    {
        for (var stepIndex = 0; stepIndex < FullSession.Length; stepIndex++)
        {
            var data = FullSession[stepIndex].Data;
            for (var split = 1; split < data.Length; split++)
            {
                var harness = new Pop3Harness();
                var observer = harness.Create();
                var steps = FullSession.ToList();
                steps[stepIndex] = FullSession[stepIndex] with { Data = data[..split] };
                steps.Insert(stepIndex + 1, FullSession[stepIndex] with { Data = data[split..] });

                Feed(observer, steps);

                Records(harness).Should().Equal(FullSessionRecords, $"step {stepIndex} split at {split}");
            }
        }
    }

    [Test]
    public void FullSession_OneByteAtATime_RecordsTheSame()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, FullSession.SelectMany(s => s.Data.Select(b => s with { Data = [b] })));

        Records(harness).Should().Equal(FullSessionRecords);
    }

    [Test]
    public void FullSession_BareLfLineEnds_RecordsTheSame()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, FullSession.Select(s => s with { Data = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(s.Data).Replace("\r\n", "\n", StringComparison.Ordinal)) }));

        Records(harness).Should().Equal(FullSessionRecords);
    }

    [Test]
    public void FullSession_AllClientBytesThenAllServerBytes_RecordsTheSame()
    {
        // The relay's two threads may report a reply before the command it answers; matching is by position.
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, FullSession.Where(s => s.FromClient).Concat(FullSession.Where(s => !s.FromClient)));

        Records(harness).Should().Equal(FullSessionRecords);
    }

    [Test]
    public void FullSession_AllServerBytesThenAllClientBytes_RecordsTheSame()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, FullSession.Where(s => !s.FromClient).Concat(FullSession.Where(s => s.FromClient)));

        Records(harness).Should().Equal(FullSessionRecords);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task FullSession_DirectionsFedConcurrently_RecordsTheSameEveryTime()
    {
        for (var round = 0; round < 200; round++)
        {
            var harness = new Pop3Harness();
            var observer = harness.Create();
            using var barrier = new Barrier(2);
            var client = Task.Run(() =>
            {
                barrier.SignalAndWait();
                Feed(observer, FullSession.Where(s => s.FromClient));
            });
            var server = Task.Run(() =>
            {
                barrier.SignalAndWait();
                Feed(observer, FullSession.Where(s => !s.FromClient));
            });

            await Task.WhenAll(client, server).WaitAsync(TimeSpan.FromSeconds(30));

            Records(harness).Should().Equal(FullSessionRecords, $"round {round}");
        }
    }

    [Test]
    public void Pass_WithoutUser_NotRecorded()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        // Issue 18, item 5c: a PASS with no USER before it (or after a refused USER, or a second PASS for one
        // USER) names nobody; it was recorded with an empty user. The proper login after it is recorded.
        Feed(observer,
        [
            S(Greeting), C("PASS orphan\r\n"), S("-ERR no USER given\r\n"),
            C("USER ghost\r\n"), S("-ERR no such mailbox\r\n"), C("PASS after-refused-user\r\n"), S("-ERR\r\n"),
            C("USER alice\r\n"), S("+OK\r\n"), C("PASS wrong\r\n"), S("-ERR\r\n"), C("PASS retry-without-user\r\n"), S("-ERR\r\n"),
            C("USER alice\r\n"), S("+OK\r\n"), C("PASS right\r\n"), S("+OK welcome\r\n"),
        ]);

        Records(harness).Should().Equal("UserPass alice wrong Rejected", "UserPass alice right Accepted");
    }

    [Test]
    public void UserPass_LowercaseCommandsAndReplies_Recorded()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S("+ok hello\r\n"), C("user Alice\r\n"), S("+ok\r\n"), C("pass Secret\r\n"), S("-err no\r\n")]);

        Records(harness).Should().Equal("UserPass Alice Secret Rejected");
    }

    [Test]
    public void UserPass_PipelinedInOneSegment_Recorded()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C("CAPA\r\nUSER alice\r\nPASS pw1\r\nUSER carol\r\nPASS pw2\r\n"), S("+OK\r\nPIPELINING\r\n.\r\n+OK\r\n-ERR\r\n+OK\r\n+OK welcome\r\n")]);

        Records(harness).Should().Equal("UserPass alice pw1 Rejected", "UserPass carol pw2 Accepted");
        observer.IsFinished.Should().BeTrue();
    }

    [Test]
    public void AuthPlain_InitialResponse_RecordsAuthcidAndPassword()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C($"AUTH PLAIN {Plain("admin", "alice", "s3cret")}\r\n"), S("+OK Logged in.\r\n")]);

        Records(harness).Should().Equal("AuthPlain alice s3cret Accepted");
        observer.IsFinished.Should().BeTrue();
    }

    [TestCase("+ \r\n")]
    [TestCase("+\r\n")]
    [TestCase("+ \n")]
    public void AuthPlain_ResponseAfterContinuation_Recorded(string continuation)
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C("auth plain\r\n"), S(continuation), C(Plain("", "alice", "bad") + "\r\n"), S("-ERR [AUTH] Authentication failed.\r\n")]);

        Records(harness).Should().Equal("AuthPlain alice bad Rejected");
        observer.IsFinished.Should().BeFalse();
    }

    [Test]
    public void AuthPlain_MechanismRefused_FollowingUserPassRecordedNotMistakenForSasl()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C("AUTH PLAIN\r\n"), S("-ERR unsupported mechanism\r\n"), C("USER alice\r\n"), S("+OK\r\n"), C("PASS pw\r\n"), S("+OK\r\n")]);

        Records(harness).Should().Equal("UserPass alice pw Accepted");
    }

    [Test]
    public void AuthPlain_ClientCancels_NothingRecorded()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C("AUTH PLAIN\r\n"), S("+ \r\n"), C("*\r\n"), S("-ERR cancelled\r\n"), C("USER alice\r\n"), S("+OK\r\n"), C("PASS pw\r\n"), S("-ERR\r\n")]);

        Records(harness).Should().Equal("UserPass alice pw Rejected");
    }

    [Test]
    public void AuthOtherMechanism_ChallengeResponsesNotTakenForCommands()
    {
        // AUTH LOGIN responses are base64 lines; "USER" style lines inside the exchange are not commands.
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C("AUTH LOGIN\r\n"), S("+ VXNlcm5hbWU6\r\n"), C("STLS\r\n"), S("+ UGFzc3dvcmQ6\r\n"), C("CAPA\r\n"), S("-ERR nope\r\n"), C("USER alice\r\n"), S("+OK\r\n"), C("PASS pw\r\n"), S("-ERR\r\n")]);

        Records(harness).Should().Equal("UserPass alice pw Rejected");
        observer.IsFinished.Should().BeFalse();
    }

    [Test]
    public void Apop_RecordsNameAndDigest()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"), S("+OK maildrop has 1 message (369 octets)\r\n")]);

        var record = harness.Sink.Records.Should().ContainSingle().Subject;
        Describe(record).Should().Be("Apop mrose c4c9334bac560ecc979e58001b3e22fb Accepted");
        observer.IsFinished.Should().BeTrue();
    }

    [Test]
    public void Stls_Accepted_StopsWatchingSoLaterLoginIsNotRecorded()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C("STLS\r\n"), S("+OK Begin TLS negotiation\r\n")]);
        observer.IsFinished.Should().BeTrue();
        observer.OnClientData("USER alice\r\nPASS pw\r\n"u8);
        observer.OnTargetData("+OK\r\n+OK\r\n"u8);

        harness.Sink.Records.Should().BeEmpty();
    }

    [Test]
    public void Stls_Refused_KeepsWatching()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C("STLS\r\n"), S("-ERR TLS not available\r\n"), C("USER alice\r\n"), S("+OK\r\n"), C("PASS pw\r\n"), S("+OK\r\n")]);

        Records(harness).Should().Equal("UserPass alice pw Accepted");
    }

    [Test]
    public void Hostile_OneMebibyteLineWithoutLineEnd_StopsWithoutRecordAndWithoutBuffering()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();
        Feed(observer, [S(Greeting)]);
        var huge = new byte[1024 * 1024];
        huge.AsSpan().Fill((byte)'A');

        var before = GC.GetAllocatedBytesForCurrentThread();
        observer.OnClientData(huge);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        observer.IsFinished.Should().BeTrue();
        allocated.Should().BeLessThan(4096);
        harness.Sink.Records.Should().BeEmpty();
    }

    [Test]
    public void Hostile_LongLineInSmallChunks_StopsAtTheLimit()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();
        Feed(observer, [S(Greeting), C("USER ")]);
        var chunk = Enumerable.Repeat((byte)'a', 100).ToArray();
        var fed = 5;

        while (!observer.IsFinished && fed < 1024 * 1024)
        {
            observer.OnClientData(chunk);
            fed += chunk.Length;
        }

        observer.IsFinished.Should().BeTrue();
        fed.Should().BeGreaterThanOrEqualTo(Pop3Observer.MaxLineLength).And.BeLessThan(Pop3Observer.MaxLineLength + chunk.Length);
    }

    [Test]
    public void Hostile_LineOfExactly512OctetsWithCrLf_Accepted()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();
        var password = new string('p', Pop3Observer.MaxLineLength - "PASS \r\n".Length);

        Feed(observer, [S(Greeting), C("USER alice\r\n"), S("+OK\r\n"), C($"PASS {password}\r\n"), S("-ERR\r\n")]);

        Records(harness).Should().Equal($"UserPass alice {password} Rejected");
    }

    [Test]
    public void Hostile_LongLineWhileCredentialAwaitsReply_RecordsItAsUnknown()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C("USER alice\r\nPASS pw\r\n"), S("+OK\r\n" + new string('x', 600))]);

        observer.IsFinished.Should().BeTrue();
        Records(harness).Should().Equal("UserPass alice pw Unknown");
    }

    [Test]
    public void Dispose_CredentialAwaitingReply_RecordsItAsUnknown()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();
        Feed(observer, [S(Greeting), C("USER alice\r\n"), S("+OK\r\n"), C("PASS pw\r\n")]);

        ((IDisposable)observer).Dispose();

        Records(harness).Should().Equal("UserPass alice pw Unknown");
        observer.IsFinished.Should().BeTrue();
    }

    [Test]
    public void Dispose_AuthPlainResponseAwaitingReply_RecordsItAsUnknown()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();
        Feed(observer, [S(Greeting), C("AUTH PLAIN\r\n" + Plain("", "alice", "pw") + "\r\n")]);

        ((IDisposable)observer).Dispose();
        ((IDisposable)observer).Dispose();

        Records(harness).Should().Equal("AuthPlain alice pw Unknown");
    }

    [Test]
    public void Switch_Off_NothingRecorded()
    {
        var harness = new Pop3Harness(enabled: false);
        var observer = harness.Create();

        Feed(observer, FullSession);

        harness.Sink.Records.Should().BeEmpty();
    }

    [Test]
    public void Switch_TurnedOnMidSession_LaterLoginRecorded()
    {
        var harness = new Pop3Harness(enabled: false);
        var observer = harness.Create();
        Feed(observer, [S(Greeting), C("USER alice\r\n"), S("+OK\r\n"), C("PASS missed\r\n"), S("-ERR\r\n")]);

        harness.Switch.Toggle().Should().BeTrue();
        Feed(observer, [C("USER alice\r\n"), S("+OK\r\n"), C("PASS seen\r\n"), S("+OK\r\n")]);

        Records(harness).Should().Equal("UserPass alice seen Accepted");
    }

    [Test]
    public void Switch_TurnedOnMidLine_ResumesAtNextLine()
    {
        var harness = new Pop3Harness(enabled: false);
        var observer = harness.Create();
        Feed(observer, [S(Greeting), C("USER al")]);

        harness.Switch.Enabled = true;
        Feed(observer, [C("ice\r\n"), S("+OK\r\n"), C("USER carol\r\n"), S("+OK\r\n"), C("PASS pw\r\n"), S("+OK\r\n")]);

        Records(harness).Should().Equal("UserPass carol pw Accepted");
    }

    [Test]
    public void Switch_TurnedOnBeforeGreeting_GreetingNotTakenForReply()
    {
        var harness = new Pop3Harness(enabled: false);
        var observer = harness.Create();

        harness.Switch.Enabled = true;
        Feed(observer, [S(Greeting), C("USER alice\r\n"), S("+OK\r\n"), C("PASS pw\r\n"), S("-ERR\r\n")]);

        Records(harness).Should().Equal("UserPass alice pw Rejected");
    }

    [Test]
    public void Switch_TurnedOffBeforeReply_NothingRecorded()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();
        Feed(observer, [S(Greeting), C("USER alice\r\n"), S("+OK\r\n"), C("PASS pw\r\n")]);

        harness.Switch.Enabled = false;
        Feed(observer, [S("+OK\r\n")]);
        ((IDisposable)observer).Dispose();

        harness.Sink.Records.Should().BeEmpty();
    }

    [Test]
    public void Switch_OffOnAfterLoginUnseen_TransactionCommandStopsWatching()
    {
        var harness = new Pop3Harness(enabled: false);
        var observer = harness.Create();
        Feed(observer, [S(Greeting), C("USER alice\r\nPASS pw\r\n"), S("+OK\r\n+OK\r\n")]);

        harness.Switch.Enabled = true;
        Feed(observer, [C("STAT\r\n"), S("+OK 2 320\r\n")]);

        observer.IsFinished.Should().BeTrue();
        harness.Sink.Records.Should().BeEmpty();
    }

    [Test]
    public void Port110_ServerGreetingIsNotPop3_StopsAtOnce()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S("SSH-2.0-OpenSSH_9.6\r\n")]);

        observer.IsFinished.Should().BeTrue();
    }

    [Test]
    public void OtherPort_Pop3Greeting_Watched()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create(port: 2110);

        Feed(observer, [S("+O"), S("K ready\r\n"), C("USER alice\r\n"), S("+OK\r\n"), C("PASS pw\r\n"), S("+OK\r\n")]);

        Records(harness).Should().Equal("UserPass alice pw Accepted");
    }

    [TestCase("SSH-2.0-OpenSSH_9.6\r\n")]
    [TestCase("220 smtp.example.net ESMTP\r\n")]
    [TestCase("+OKAY\r\n")]
    [TestCase("-ERR busy\r\n")]
    public void OtherPort_ServerSpeaksFirstNotPop3_FinishedAfterFirstChunk(string greeting)
    {
        var harness = new Pop3Harness();
        var observer = harness.Create(port: 22);

        observer.OnTargetData(Encoding.Latin1.GetBytes(greeting));

        observer.IsFinished.Should().BeTrue();
    }

    [TestCase("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")]
    [TestCase("\u0016\u0003\u0001\u0002\u0000")]
    public void OtherPort_ClientSpeaksFirstNotPop3_FinishedAfterFirstChunk(string request)
    {
        var harness = new Pop3Harness();
        var observer = harness.Create(port: 443);

        observer.OnClientData(Encoding.Latin1.GetBytes(request));

        observer.IsFinished.Should().BeTrue();
    }

    [Test]
    public void OtherPort_SwitchOff_StillSniffsAndFinishesNonPop3()
    {
        var harness = new Pop3Harness(enabled: false);
        var observer = harness.Create(port: 443);

        observer.OnClientData("GET / HTTP/1.1\r\n"u8);

        observer.IsFinished.Should().BeTrue();
    }

    [Test]
    public void OtherPort_ClientCommandReportedBeforeGreeting_StillWatched()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create(port: 1110);

        Feed(observer, [C("USER alice\r\n"), S("+OK hi\r\n+OK\r\n"), C("PASS pw\r\n"), S("-ERR\r\n")]);

        Records(harness).Should().Equal("UserPass alice pw Rejected");
    }

    [Test]
    public void SinkThrows_ObserverStopsWithoutThrowingAndLogsOneError()
    {
        var logger = new CapturingLogger();
        var harness = new Pop3Harness(sink: new ThrowingSink(), logger: logger);
        var first = harness.Create();
        var second = harness.Create();
        Step[] login = [S(Greeting), C("USER alice\r\n"), S("+OK\r\n"), C("PASS pw\r\n"), S("-ERR\r\n")];

        var act = () =>
        {
            Feed(first, login);
            Feed(second, login);
        };

        act.Should().NotThrow();
        first.IsFinished.Should().BeTrue();
        second.IsFinished.Should().BeTrue();
        logger.AtLevel(LogLevel.Error).Should().ContainSingle().Which.Message.Should().Contain("Session 42");
        logger.AtLevel(LogLevel.Debug).Should().Contain(e => e.EventId == 5102);
        logger.Entries.Should().NotContain(e => e.Message.Contains("alice", StringComparison.Ordinal) || e.Message.Contains("pw", StringComparison.Ordinal));
    }

    [Test]
    public void Hostile_UnansweredPipelineDeeperThanLimit_StopsWatchingAndReportsPendingCredential()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C("USER alice\r\nPASS pw\r\n" + string.Concat(Enumerable.Repeat("NOOP\r\n", Pop3Observer.MaxPending)))]);

        observer.IsFinished.Should().BeTrue();
        Records(harness).Should().Equal("UserPass alice pw Unknown");
    }

    [Test]
    public void AuthWithoutArguments_MechanismListSkippedAsMultiLineReply()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        Feed(observer, [S(Greeting), C("AUTH\r\n"), S("+OK\r\nPLAIN\r\n-ERR looks like a reply\r\n.\r\n"), C("USER alice\r\n"), S("+OK\r\n"), C("PASS pw\r\n"), S("-ERR\r\n")]);

        Records(harness).Should().Equal("UserPass alice pw Rejected");
    }

    [Test]
    public void EmptyChunks_Ignored()
    {
        var harness = new Pop3Harness();
        var observer = harness.Create();

        observer.OnClientData([]);
        observer.OnTargetData([]);
        Feed(observer, [S(Greeting), C("USER a\r\n"), S("+OK\r\n"), C("PASS b\r\n"), S("+OK\r\n")]);

        Records(harness).Should().Equal("UserPass a b Accepted");
    }

    private sealed class ThrowingSink : ICredentialSink
    {
        public void Append(CredentialRecord record) => throw new InvalidOperationException("sink is broken");
    }
}
