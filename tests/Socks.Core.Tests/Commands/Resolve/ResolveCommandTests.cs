using System.Net;
using System.Net.Sockets;
using System.Text;
using Socks.Core.AccessLog;
using Socks.Core.Protocol;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Commands.Resolve;

/// <summary>
/// Tor's RESOLVE (X'F0') and RESOLVE_PTR (X'F1') over real loopback sockets: the exact replies, the failures with a
/// CONNECT's codes (X'04', X'06'), and the access-log records.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class ResolveCommandTests
{
    private const byte Resolve = 0xF0;
    private const byte ResolvePtr = 0xF1;

    [Test]
    public async Task Resolve_Localhost_RepliesItsAddressWithPortZero()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await NegotiatedAsync(harness);

        await client.SendAsync(SocksTestClient.DomainRequest("localhost"u8, 0, Resolve));

        (await client.ReadToEndAsync()).Should().Equal(0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0x00, 0x00);
        var record = await harness.AccessLog.SingleAsync();
        record.Command.Should().Be(SocksCommand.Resolve);
        record.Reply.Should().Be(ReplyCode.Succeeded);
        record.RequestedHost.Should().Equal("localhost"u8.ToArray());
        record.Connected.Should().BeNull("nothing is dialed");
        record.EndReason.Should().Be(AccessLogEndReason.Ok);
        harness.Server.GetMetrics().SuccessfulConnections.Should().Be(1);
    }

    [Test]
    public async Task Resolve_NameWithBothFamilies_RepliesTheFirstIPv4Address()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            Resolver = (_, _) => Task.FromResult(new[] { IPAddress.Parse("2001:db8::7"), IPAddress.Parse("192.0.2.7"), IPAddress.Parse("192.0.2.8") }),
        });
        using var client = await NegotiatedAsync(harness);

        await client.SendAsync(SocksTestClient.DomainRequest("dual.example"u8, 0, Resolve));

        (await client.ReadReplyAsync()).Should().Be(new SocksTestClient.Reply(ReplyCode.Succeeded, 0x01, IPAddress.Parse("192.0.2.7"), 0));
    }

    [Test]
    public async Task Resolve_NameThatDoesNotResolve_Replies04()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            Resolver = (_, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
        });
        using var client = await NegotiatedAsync(harness);

        await client.SendAsync(SocksTestClient.DomainRequest("nosuchhost.invalid"u8, 0, Resolve));

        (await client.ReadToEndAsync()).Should().Equal(0x05, 0x04, 0x00, 0x01, 0, 0, 0, 0, 0, 0);
        var record = await harness.AccessLog.SingleAsync();
        record.EndReason.Should().Be(AccessLogEndReason.ResolveFailed);
        record.Reply.Should().Be(ReplyCode.HostUnreachable);
        harness.Server.GetMetrics().FailuresWith(ReplyCode.HostUnreachable).Should().Be(1);
    }

    [Test]
    public async Task Resolve_LookupPastTheConnectTimeout_Replies06()
    {
        var clock = new ManualTimeProvider();
        var lookupStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            TimeProvider = clock,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            Resolver = (_, _) =>
            {
                lookupStarted.TrySetResult();
                return new TaskCompletionSource<IPAddress[]>().Task;
            },
        });
        using var client = await NegotiatedAsync(harness);
        await client.SendAsync(SocksTestClient.DomainRequest("silent.example"u8, 0, Resolve));
        await lookupStarted.Task.WaitAsync(TestTimeouts.Generous);

        clock.Advance(TimeSpan.FromSeconds(5));

        (await client.ReadReplyAsync()).Code.Should().Be(ReplyCode.TtlExpired);
        (await harness.AccessLog.SingleAsync()).EndReason.Should().Be(AccessLogEndReason.ResolveFailed);
    }

    [Test]
    public async Task ResolvePtr_Loopback_RepliesTheNameAsDomainName()
    {
        // The name the system resolver gives 127.0.0.1 here (localhost, from /etc/hosts).
        var expected = Encoding.ASCII.GetBytes(Dns.GetHostEntry(IPAddress.Loopback).HostName);
        await using var harness = ServerHarness.StartWithUser();
        using var client = await NegotiatedAsync(harness);

        await client.SendAsync(SocksTestClient.ConnectRequest(new IPEndPoint(IPAddress.Loopback, 0), ResolvePtr));

        (await client.ReadToEndAsync()).Should().Equal([0x05, 0x00, 0x00, 0x03, (byte)expected.Length, .. expected, 0x00, 0x00]);
        var record = await harness.AccessLog.SingleAsync();
        record.Command.Should().Be(SocksCommand.ResolvePtr);
        record.RequestedHost.Should().Equal("127.0.0.1"u8.ToArray());
        record.EndReason.Should().Be(AccessLogEndReason.Ok);
    }

    [Test]
    public async Task ResolvePtr_AddressWithoutName_Replies04()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            ReverseResolver = (_, _) => Task.FromException<string>(new SocketException((int)SocketError.HostNotFound)),
        });
        using var client = await NegotiatedAsync(harness);

        await client.SendAsync(SocksTestClient.ConnectRequest(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 0), ResolvePtr));

        (await client.ReadReplyAsync()).Code.Should().Be(ReplyCode.HostUnreachable);
        (await harness.AccessLog.SingleAsync()).EndReason.Should().Be(AccessLogEndReason.ResolveFailed);
    }

    [Test]
    public async Task ResolvePtr_ResolverAnswersTheAddressText_Replies04()
    {
        await using var harness = ServerHarness.Start(log => new SocksServerOptions
        {
            Users = TestUsers.Create(("user", "pass")),
            AccessLog = log,
            ReverseResolver = (address, _) => Task.FromResult(address.ToString()),
        });
        using var client = await NegotiatedAsync(harness);

        await client.SendAsync(SocksTestClient.ConnectRequest(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 0), ResolvePtr));

        (await client.ReadReplyAsync()).Code.Should().Be(ReplyCode.HostUnreachable, "an address is no name");
    }

    [Test]
    public async Task ResolvePtr_NameThatIsNoAddress_Replies08()
    {
        await using var harness = ServerHarness.StartWithUser();
        using var client = await NegotiatedAsync(harness);

        await client.SendAsync(SocksTestClient.DomainRequest("example.com"u8, 0, ResolvePtr));

        (await client.ReadReplyAsync()).Code.Should().Be(ReplyCode.AddressTypeNotSupported);
    }

    private static async Task<SocksTestClient> NegotiatedAsync(ServerHarness harness)
    {
        var client = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await client.NegotiateAsync("user");
        return client;
    }
}
