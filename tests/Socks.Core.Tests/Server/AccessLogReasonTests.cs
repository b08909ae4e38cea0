using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Socks.Core.AccessLog;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;
using Socks.Shared;

namespace Socks.Core.Tests.Server;

/// <summary>
/// Each access-log end reason (docs/access-log.md "End reasons") produced by its real cause over loopback, with the
/// command and user the record then carries; and the failed login's name and warning, never its password.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class AccessLogReasonTests
{
    private const string WrongPassword = "n0t-the-Password";

    [Test]
    public async Task Ok_RelayEndsWithEofBothWays()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.StartWithUser();
        using (var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint))
        {
            await client.SendAsync("hi");
            (await client.ReceiveExactlyAsync(2)).Should().Equal("hi"u8.ToArray());
            client.Socket.Shutdown(SocketShutdown.Send);
            await client.ShouldBeClosedAsync();
        }

        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.Ok);
        record.Command.Should().Be(SocksCommand.Connect);
        record.Username.Should().Equal("user"u8.ToArray());
    }

    [Test]
    public async Task AuthFailed_WrongPassword_RecordsTheNameTriedAndOneWarningWithoutThePassword()
    {
        var logger = new CapturingLogger();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = TestUsers.Create(("user", "pass")), AccessLog = log }, logger);
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        (await client.AuthenticateAsync("user", WrongPassword)).Should().Be(0x01);
        await client.ShouldBeClosedAsync();

        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.AuthFailed);
        record.Username.Should().Equal("user"u8.ToArray());
        record.Command.Should().BeNull();
        record.Reply.Should().BeNull();
        var warning = logger.AtLevel(LogLevel.Warning).Should().ContainSingle().Subject;
        warning.EventId.Should().Be(125);
        warning.Message.Should().Be($"Session 1: authentication failed for user \"user\" from {client.Socket.LocalEndPoint}");
        logger.Entries.Should().NotContain(e => e.Text.Contains(WrongPassword, StringComparison.Ordinal), "the password is never logged, at any level");
    }

    [Test]
    public async Task AuthFailed_HostileName_IsKeptRawInTheRecordAndEscapedInTheWarning()
    {
        var logger = new CapturingLogger();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = TestUsers.Create(("user", "pass")), AccessLog = log }, logger);
        var name = "a\"b\tc\r\nd\\é";
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        (await client.AuthenticateAsync(name, WrongPassword)).Should().Be(0x01);
        await client.ShouldBeClosedAsync();

        (await harness.AccessLog.SingleAsync()).Username.Should().Equal(Encoding.UTF8.GetBytes(name));
        logger.AtLevel(LogLevel.Warning).Should().ContainSingle().Which.Message.Should()
            .Contain("for user \"a\\x22b\\x09c\\x0D\\x0Ad\\x5Cé\" from 127.0.0.1:");
    }

    [TestCase(new byte[] { 0x01, 0x04, (byte)'u', (byte)'s', (byte)'e', (byte)'r', 0x00 }, "user", TestName = "AuthFailed_EmptyPassword_RecordsTheName")]
    [TestCase(new byte[] { 0x01, 0x00 }, "", TestName = "AuthFailed_EmptyName_RecordsAnEmptyName")]
    public async Task AuthFailed_ZeroLength_FailsLikeAWrongPasswordUnderTheNameSent(byte[] request, string expected)
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.SendAsync(0x05, 0x01, 0x02);
        (await client.ReceiveExactlyAsync(2)).Should().Equal(0x05, 0x02);

        await client.SendAsync(request);

        (await client.ReadToEndAsync()).Should().Equal(0x01, 0x01);
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.AuthFailed);
        record.Username.Should().Equal(Encoding.ASCII.GetBytes(expected));
    }

    [Test]
    public async Task NoAcceptableMethod_GreetingWithoutUsernamePassword()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.SendAsync(0x05, 0x01, 0x00);

        (await client.ReadToEndAsync()).Should().Equal(0x05, 0xFF);
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.NoAcceptableMethod);
        record.Username.Should().BeNull();
    }

    [TestCase(new byte[] { 0x04, 0x01, 0x00, 0x50, 127, 0, 0, 1, 0 }, TestName = "BadVersion_Socks4Client")]
    [TestCase(new byte[] { (byte)'G', (byte)'E', (byte)'T', (byte)' ', (byte)'/' }, TestName = "BadVersion_HttpClient")]
    public async Task BadVersion_FirstByteIsNot05(byte[] greeting)
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.SendAsync(greeting);

        (await client.ReadToEndAsync()).Should().BeEmpty();
        (await harness.AccessLog.SingleAsync()).EndReason.Should().Be(AccessLogEndReason.BadVersion);
    }

    [Test]
    public async Task BadRequest_SubnegotiationVersion05()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        var request = SocksTestClient.UsernamePassword("user", "pass");
        request[0] = 0x05;

        await client.SendAsync([0x05, 0x01, 0x02, .. request]);

        (await client.ReadToEndAsync()).Should().Equal(0x05, 0x02);
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.BadRequest);
        record.Username.Should().BeNull("no name was read");
    }

    [TestCase(new byte[] { 0x05, 0x01, 0x00, 0x02, 127, 0, 0, 1, 0, 80 }, new byte[] { 0x05, 0x08, 0x00, 0x01, 0, 0, 0, 0, 0, 0 }, TestName = "BadRequest_UnknownAddressType_AfterReply08")]
    [TestCase(new byte[] { 0x04, 0x01, 0x00, 0x01, 127, 0, 0, 1, 0, 80 }, new byte[0], TestName = "BadRequest_RequestVersion04")]
    public async Task BadRequest_MalformedRequest(byte[] request, byte[] answer)
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        await client.SendAsync(request);

        (await client.ReadToEndAsync()).Should().Equal(answer);
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.BadRequest);
        record.Command.Should().BeNull("the request was not read");
        record.Username.Should().Equal("user"u8.ToArray());
    }

    [TestCase((byte)0xF2, TestName = "CommandNotSupported_UnassignedExtension")]
    [TestCase((byte)0x09, TestName = "CommandNotSupported_UnknownCommand")]
    public async Task CommandNotSupported_RecordsTheCommandByte(byte command)
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        await client.SendAsync(SocksTestClient.ConnectRequest(target.EndPoint, command));

        (await client.ReadReplyAsync()).Code.Should().Be(ReplyCode.CommandNotSupported);
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.CommandNotSupported);
        record.Command.Should().Be((SocksCommand)command);
    }

    [Test]
    public async Task HandshakeTimeout_NoRequestWithinTheTimeout()
    {
        var clock = new ManualTimeProvider();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            HandshakeTimeout = TimeSpan.FromSeconds(10),
            TimeProvider = clock,
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.SendAsync(0x05, 0x01, 0x02);
        (await client.ReceiveExactlyAsync(2)).Should().Equal(0x05, 0x02);

        clock.Advance(TimeSpan.FromSeconds(10));

        await client.ShouldBeClosedAsync();
        (await harness.AccessLog.SingleAsync()).EndReason.Should().Be(AccessLogEndReason.HandshakeTimeout);
    }

    [Test]
    public async Task Denied_AfterAccept_ClosedWithoutReply()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            AccessPolicy = new Policy(request => request.Phase == AccessPhase.Accepted ? AccessDecision.DenyByRuleset : AccessDecision.Allow),
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.ShouldBeClosedAsync();
        (await harness.AccessLog.SingleAsync()).EndReason.Should().Be(AccessLogEndReason.Denied);
    }

    [Test]
    public async Task Denied_ResolvedDestination_Reply02()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            AccessPolicy = new Policy(request => request.Phase == AccessPhase.Resolved ? AccessDecision.DenyByRuleset : AccessDecision.Allow),
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        (await client.RequestConnectAsync(target.EndPoint)).Code.Should().Be(ReplyCode.ConnectionNotAllowed);

        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.Denied);
        record.Command.Should().Be(SocksCommand.Connect);
        record.Reply.Should().Be(ReplyCode.ConnectionNotAllowed);
    }

    [Test]
    public async Task DialFailed_RefusedPort()
    {
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // bound, never listening: connecting is refused
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        (await client.RequestConnectAsync((IPEndPoint)closed.LocalEndPoint!)).Code.Should().Be(ReplyCode.ConnectionRefused);

        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.DialFailed);
        record.Connected.Should().BeNull();
    }

    [Test]
    public async Task DialFailed_LocalFailureOfTheConnector_Reply01()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            Connector = new OutOfDescriptorsConnector(),
        });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");

        (await client.RequestConnectAsync(new IPEndPoint(IPAddress.Loopback, 9))).Code.Should().Be(ReplyCode.GeneralFailure);

        (await harness.AccessLog.SingleAsync()).EndReason.Should().Be(AccessLogEndReason.DialFailed);
    }

    [Test]
    public async Task ConnectionLimit_ClientClosedAtTheLimit()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            MaxConnections = 1,
        });
        using var first = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        using var second = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await second.ShouldBeClosedAsync();

        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.ConnectionLimit);
        record.Client.Should().Be(second.Socket.LocalEndPoint);
        record.Command.Should().BeNull();
        record.Username.Should().BeNull();
    }

    [Test]
    public async Task IdleTimeout_NothingMovedForTheIdleTimeout()
    {
        var clock = new ManualTimeProvider();
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            IdleTimeout = TimeSpan.FromMinutes(5),
            TimeProvider = clock,
        });
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);
        await client.SendAsync("up");
        (await client.ReceiveExactlyAsync(2)).Should().Equal("up"u8.ToArray(), "the relay (and so its idle timer) is running");

        // The timer's first wake-up after the echo sees the kernel's counters moved and counts that as activity.
        clock.Advance(TimeSpan.FromMinutes(5) + (TimeSpan.FromMinutes(5) / ActivityTimer.ProbesPerTimeout));

        await client.ShouldBeClosedAsync();
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.IdleTimeout);
        record.Command.Should().Be(SocksCommand.Connect);
    }

    [Test]
    public async Task ClientClosed_EofInTheMiddleOfTheGreeting()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.SendAsync(0x05, 0x02);
        client.Socket.Shutdown(SocketShutdown.Send);

        await client.ShouldBeClosedAsync();
        (await harness.AccessLog.SingleAsync()).EndReason.Should().Be(AccessLogEndReason.ClientClosed);
    }

    [Test]
    public async Task ClientReset_ResetDuringTheHandshake()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.SendAsync(0x05, 0x01, 0x02);
        (await client.ReceiveExactlyAsync(2)).Should().Equal(0x05, 0x02);

        // The session now waits for the RFC 1929 request; a zero linger makes the close a TCP RST.
        client.Socket.LingerState = new LingerOption(true, 0);
        client.Socket.Close();

        (await harness.AccessLog.SingleAsync()).EndReason.Should().Be(AccessLogEndReason.ClientReset);
    }

    [Test]
    public async Task TargetReset_TargetResetsWhileRelaying()
    {
        await using var target = TestTarget.Manual();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");
        var reply = client.RequestConnectAsync(target.EndPoint);
        using var accepted = await target.AcceptAsync();
        (await reply).Code.Should().Be(ReplyCode.Succeeded);

        accepted.LingerState = new LingerOption(true, 0);
        accepted.Close();

        await client.ReadToEndAsync();
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.TargetReset);
        record.Command.Should().Be(SocksCommand.Connect);
    }

    [Test]
    public async Task Revoked_UserRemovedWhileRelaying()
    {
        var users = TestUsers.Create(("alice", "a-pass"));
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = users, UserDirectory = users, AccessLog = log });
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint, "alice", "a-pass");

        users.Remove("alice"u8);

        await client.ShouldBeClosedAsync();
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.Revoked);
        record.Username.Should().Equal("alice"u8.ToArray());
    }

    [Test]
    public async Task Shutdown_OpenAtTheDrainDeadline()
    {
        await using var target = TestTarget.Echo();
        await using var harness = ServerHarness.StartWithUser();
        using var client = await SocksTestClient.OpenTunnelAsync(harness.EndPoint, target.EndPoint);

        await harness.Server.StopAsync(TimeSpan.Zero).WaitAsync(TestTimeouts.Generous);

        await client.ShouldBeClosedAsync();
        harness.AccessLog.Records.Should().ContainSingle().Which.EndReason.Should().Be(AccessLogEndReason.Shutdown);
    }

    [Test]
    public async Task InternalError_AccessPolicyThrows()
    {
        var logger = new CapturingLogger();
        await using var harness = ServerHarness.Start(
            log => new SocksServerOptions
            {
                Users = TestUsers.Create(("user", "pass")),
                AccessLog = log,
                AccessPolicy = new Policy(_ => throw new InvalidOperationException("policy bug")),
            },
            logger);
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.ShouldBeClosedAsync();
        (await harness.AccessLog.SingleAsync()).EndReason.Should().Be(AccessLogEndReason.InternalError);
        logger.AtLevel(LogLevel.Error).Should().ContainSingle().Which.Exception.Should().BeOfType<InvalidOperationException>();
    }

    private sealed class Policy(Func<AccessRequest, AccessDecision> decide) : IAccessPolicy
    {
        public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(decide(request));
    }

    /// <summary>A connector that fails locally, as the direct connector does when no descriptor is left for the outbound socket.</summary>
    private sealed class OutOfDescriptorsConnector : IConnector
    {
        public ValueTask<ConnectResult> ConnectAsync(SessionContext session, CancellationToken cancellationToken) =>
            throw new SocketException((int)SocketError.TooManyOpenSockets);
    }
}
