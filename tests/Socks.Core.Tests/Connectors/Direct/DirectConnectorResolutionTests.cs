using System.Net;
using System.Net.Sockets;
using Socks.Core.Connectors.Direct;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Connectors.Direct;

/// <summary>What the dialer tries: name resolution, literals, normalization and the destination policy.</summary>
[CancelAfter(30_000)]
public class DirectConnectorResolutionTests
{
    private const ushort Port = 8080;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly IPAddress V6 = IPAddress.Parse("2001:db8::1");
    private static readonly IPAddress V4 = IPAddress.Parse("192.0.2.1");

    private ManualTimeProvider _time = null!;
    private ScriptedConnector _connector = null!;
    private List<string> _lookups = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new ManualTimeProvider();
        _connector = new ScriptedConnector();
        _lookups = [];
    }

    [Test]
    public async Task DialAsync_NameNotFound_ReturnsHostUnreachableWithoutAttempts()
    {
        var dialer = CreateDialer((_, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)));

        var result = await dialer.DialAsync(TestRequests.Connect("no-such-host.invalid", Port), CancellationToken.None).WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.HostUnreachable);
        result.RemoteEndPoint.Should().BeNull();
        _connector.Attempts.Should().BeEmpty();
    }

    [Test]
    public async Task DialAsync_ResolverReturnsNoAddresses_ReturnsHostUnreachable()
    {
        var dialer = CreateDialer((_, _) => Task.FromResult(Array.Empty<IPAddress>()));

        var result = await dialer.DialAsync(TestRequests.Connect("empty.example", Port), CancellationToken.None).WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.HostUnreachable);
        _connector.Attempts.Should().BeEmpty();
    }

    [Test]
    public async Task DialAsync_ResolverThrowsSynchronously_ReturnsHostUnreachable()
    {
        var dialer = CreateDialer((_, _) => throw new SocketException((int)SocketError.NoData));

        var result = await dialer.DialAsync(TestRequests.Connect("nodata.example", Port), CancellationToken.None).WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.HostUnreachable);
    }

    [Test]
    public async Task DialAsync_ResolverRejectsName_ReturnsHostUnreachable()
    {
        var dialer = CreateDialer((_, _) => Task.FromException<IPAddress[]>(new ArgumentException("bad name")));

        var result = await dialer.DialAsync(TestRequests.Connect("bad..name", Port), CancellationToken.None).WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.HostUnreachable);
    }

    [Test]
    public async Task DialAsync_Name_ResolverGetsAsciiNameAndAttemptsUseRequestedPort()
    {
        var dialer = CreateDialer((_, _) => Task.FromResult(new[] { V4 }));

        var dial = dialer.DialAsync(TestRequests.Connect("pop.example.org", Port), CancellationToken.None);
        var attempt = await _connector.NextAttemptAsync();
        attempt.Fail(SocketError.ConnectionRefused);
        await dial.WaitAsync(Bound);

        _lookups.Should().Equal("pop.example.org");
        attempt.EndPoint.Should().Be(new IPEndPoint(V4, Port));
    }

    [TestCase(new byte[] { 0x61, 0x20, 0x62 }, TestName = "DialAsync_NameWithSpace_ReturnsHostUnreachableWithoutLookup")]
    [TestCase(new byte[] { 0x61, 0x00, 0x62 }, TestName = "DialAsync_NameWithNul_ReturnsHostUnreachableWithoutLookup")]
    [TestCase(new byte[] { 0x63, 0x61, 0x66, 0xC3, 0xA9 }, TestName = "DialAsync_NonAsciiName_ReturnsHostUnreachableWithoutLookup")]
    [TestCase(new byte[] { 0x0A }, TestName = "DialAsync_ControlOctetName_ReturnsHostUnreachableWithoutLookup")]
    public async Task DialAsync_UnusableName_ReturnsHostUnreachableWithoutLookup(byte[] name)
    {
        var dialer = CreateDialer((_, _) => Task.FromResult(new[] { V4 }));

        var result = await dialer.DialAsync(TestRequests.Connect(name, Port), CancellationToken.None).WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.HostUnreachable);
        _lookups.Should().BeEmpty();
        _connector.Attempts.Should().BeEmpty();
    }

    [TestCase("192.0.2.7", "192.0.2.7")]
    [TestCase("2001:db8::7", "2001:db8::7")]
    [TestCase("::ffff:192.0.2.7", "192.0.2.7")]
    public async Task DialAsync_NameIsAnIPLiteral_DialsItWithoutLookup(string name, string expected)
    {
        var dialer = CreateDialer((_, _) => Task.FromResult(new[] { V4 }));

        var dial = dialer.DialAsync(TestRequests.Connect(name, Port), CancellationToken.None);
        var attempt = await _connector.NextAttemptAsync();
        attempt.Fail(SocketError.ConnectionRefused);
        await dial.WaitAsync(Bound);

        _lookups.Should().BeEmpty();
        attempt.EndPoint.Should().Be(new IPEndPoint(IPAddress.Parse(expected), Port));
    }

    [Test]
    public async Task DialAsync_IPv4MappedRequest_DialsAndChecksThePlainIPv4Address()
    {
        var policy = new RecordingPolicy(_ => ReplyCode.Succeeded);
        var dialer = new DirectConnector(_time, Timeout, policy, null, _connector.ConnectAsync);

        var dial = dialer.DialAsync(TestRequests.Connect(IPAddress.Parse("::ffff:127.0.0.1"), Port), CancellationToken.None);
        var attempt = await _connector.NextAttemptAsync();
        attempt.Fail(SocketError.ConnectionRefused);
        await dial.WaitAsync(Bound);

        policy.Checked.Should().Equal(new IPEndPoint(IPAddress.Loopback, Port));
        attempt.EndPoint.Should().Be(new IPEndPoint(IPAddress.Loopback, Port));
        attempt.EndPoint.AddressFamily.Should().Be(AddressFamily.InterNetwork);
    }

    [Test]
    public async Task DialAsync_DuplicateAddresses_AreTriedOnce()
    {
        var dialer = CreateDialer((_, _) => Task.FromResult(new[] { V4, V4, IPAddress.Parse("::ffff:192.0.2.1") }));

        var dial = dialer.DialAsync(TestRequests.Connect("dup.example", Port), CancellationToken.None);
        (await _connector.NextAttemptAsync()).Fail(SocketError.ConnectionRefused);
        var result = await dial.WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.ConnectionRefused);
        _connector.Attempts.Should().HaveCount(1);
    }

    [Test]
    public async Task DialAsync_PolicyDeniesEverything_ReturnsPolicyCodeWithoutAttempts()
    {
        var policy = new RecordingPolicy(_ => ReplyCode.ConnectionNotAllowed);
        var dialer = new DirectConnector(_time, Timeout, policy, (_, _) => Task.FromResult(new[] { V6, V4 }), _connector.ConnectAsync);

        var result = await dialer.DialAsync(TestRequests.Connect("denied.example", Port), CancellationToken.None).WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.ConnectionNotAllowed);
        result.RemoteEndPoint.Should().Be(new IPEndPoint(V6, Port), "the first denied address is reported");
        policy.Checked.Should().Equal(new IPEndPoint(V6, Port), new IPEndPoint(V4, Port));
        _connector.Attempts.Should().BeEmpty();
    }

    [Test]
    public async Task DialAsync_PolicyDeniesWithOwnCode_ReturnsThatCode()
    {
        var policy = new RecordingPolicy(_ => ReplyCode.NetworkUnreachable);
        var dialer = new DirectConnector(_time, Timeout, policy, null, _connector.ConnectAsync);

        var result = await dialer.DialAsync(TestRequests.Connect(V4, Port), CancellationToken.None).WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.NetworkUnreachable);
        result.IsDenied.Should().BeTrue("the access log says denied, not dial-failed");
        _connector.Attempts.Should().BeEmpty();
    }

    [Test]
    public async Task DialAsync_PolicyDeniesOneFamily_OnlyAllowedAddressesAreTried()
    {
        using var socket = new TrackedSocket();
        var policy = new RecordingPolicy(e => e.AddressFamily == AddressFamily.InterNetworkV6 ? ReplyCode.ConnectionNotAllowed : ReplyCode.Succeeded);
        var dialer = new DirectConnector(_time, Timeout, policy, (_, _) => Task.FromResult(new[] { V6, V4 }), _connector.ConnectAsync);

        var dial = dialer.DialAsync(TestRequests.Connect("mixed.example", Port), CancellationToken.None);
        (await _connector.NextAttemptAsync()).Succeed(socket);
        var result = await dial.WaitAsync(Bound);

        result.Succeeded.Should().BeTrue();
        result.RemoteEndPoint.Should().Be(new IPEndPoint(V4, Port));
        _connector.Attempts.Select(a => a.EndPoint.Address).Should().Equal(V4);
    }

    [Test]
    public async Task DialAsync_SomeDeniedRestFail_ReplyComesFromTheAttempts()
    {
        var policy = new RecordingPolicy(e => e.Address.Equals(V6) ? ReplyCode.ConnectionNotAllowed : ReplyCode.Succeeded);
        var dialer = new DirectConnector(_time, Timeout, policy, (_, _) => Task.FromResult(new[] { V6, V4 }), _connector.ConnectAsync);

        var dial = dialer.DialAsync(TestRequests.Connect("mixed.example", Port), CancellationToken.None);
        (await _connector.NextAttemptAsync()).Fail(SocketError.ConnectionRefused);
        var result = await dial.WaitAsync(Bound);

        result.Reply.Should().Be(ReplyCode.ConnectionRefused);
        result.IsDenied.Should().BeFalse("an allowed address was tried and failed");
    }

    private DirectConnector CreateDialer(Func<string, CancellationToken, Task<IPAddress[]>> resolver) =>
        new(
            _time,
            Timeout,
            null,
            (name, token) =>
            {
                _lookups.Add(name);
                return resolver(name, token);
            },
            _connector.ConnectAsync);
}
