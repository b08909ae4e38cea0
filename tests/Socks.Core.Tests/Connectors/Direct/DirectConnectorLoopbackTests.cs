using System.Net;
using System.Net.Sockets;
using Socks.Core.Connectors.Direct;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Connectors.Direct;

/// <summary>The real connect step against real loopback sockets (OS-chosen ports, nothing off the machine).</summary>
[CancelAfter(30_000)]
public class DirectConnectorLoopbackTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Test]
    public async Task DialAsync_ListeningLoopbackPort_ConnectsWithNoDelay(CancellationToken cancellationToken)
    {
        using var listener = Listen(IPAddress.Loopback);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        var dialer = new DirectConnector(TimeProvider.System, Timeout, null);

        var result = await dialer.DialAsync(TestRequests.Connect(IPAddress.Loopback, (ushort)target.Port), cancellationToken);
        using var client = result.Socket;
        using var server = await listener.AcceptAsync(cancellationToken);

        result.Reply.Should().Be(ReplyCode.Succeeded);
        result.RemoteEndPoint.Should().Be(target);
        client!.Connected.Should().BeTrue();
        client.NoDelay.Should().BeTrue();
        server.RemoteEndPoint.Should().Be(client.LocalEndPoint);
        await client.SendAsync(new byte[] { 0x2A }, cancellationToken);
        var received = new byte[1];
        (await server.ReceiveAsync(received, cancellationToken)).Should().Be(1);
        received[0].Should().Be(0x2A);
    }

    [Test]
    public async Task DialAsync_ClosedLoopbackPort_ReturnsConnectionRefused(CancellationToken cancellationToken)
    {
        // Bound but not listening: the port stays ours (no other test can take it) and connects get a RST.
        using var closed = BindOnly(IPAddress.Loopback, 0);
        var target = (IPEndPoint)closed.LocalEndPoint!;
        var dialer = new DirectConnector(TimeProvider.System, Timeout, null);

        var result = await dialer.DialAsync(TestRequests.Connect(IPAddress.Loopback, (ushort)target.Port), cancellationToken);

        result.Reply.Should().Be(ReplyCode.ConnectionRefused);
        result.Socket.Should().BeNull();
        result.RemoteEndPoint.Should().Be(target);
    }

    [TestCase("::1", "127.0.0.1")]
    [TestCase("127.0.0.1", "::1")]
    public async Task DialAsync_NameWithBothLoopbacksOnlyIPv4Listening_ConnectsToIPv4(string firstResult, string secondResult, CancellationToken cancellationToken)
    {
        Assume.That(Socket.OSSupportsIPv6, "IPv6 loopback needed");
        using var listener = Listen(IPAddress.Loopback);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var closedV6 = BindOnly(IPAddress.IPv6Loopback, port);
        var dialer = new DirectConnector(TimeProvider.System, Timeout, null, (_, _) => Task.FromResult(new[] { IPAddress.Parse(firstResult), IPAddress.Parse(secondResult) }));

        var result = await dialer.DialAsync(TestRequests.Connect("dual.test", (ushort)port), cancellationToken);
        using var client = result.Socket;
        using var server = await listener.AcceptAsync(cancellationToken);

        result.Reply.Should().Be(ReplyCode.Succeeded);
        result.RemoteEndPoint.Should().Be(new IPEndPoint(IPAddress.Loopback, port));
        server.RemoteEndPoint.Should().Be(client!.LocalEndPoint);
    }

    [Test]
    public async Task DialAsync_NameWithBothLoopbacksOnlyIPv6Listening_ConnectsToIPv6(CancellationToken cancellationToken)
    {
        Assume.That(Socket.OSSupportsIPv6, "IPv6 loopback needed");
        using var listener = Listen(IPAddress.IPv6Loopback);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var closedV4 = BindOnly(IPAddress.Loopback, port);
        var dialer = new DirectConnector(TimeProvider.System, Timeout, null, (_, _) => Task.FromResult(new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }));

        var result = await dialer.DialAsync(TestRequests.Connect("dual.test", (ushort)port), cancellationToken);
        using var client = result.Socket;
        using var server = await listener.AcceptAsync(cancellationToken);

        result.Reply.Should().Be(ReplyCode.Succeeded);
        result.RemoteEndPoint.Should().Be(new IPEndPoint(IPAddress.IPv6Loopback, port));
    }

    [Test]
    public async Task DialAsync_NameWithBothLoopbacksNoneListening_ReturnsConnectionRefused(CancellationToken cancellationToken)
    {
        Assume.That(Socket.OSSupportsIPv6, "IPv6 loopback needed");
        using var closedV4 = BindOnly(IPAddress.Loopback, 0);
        var port = ((IPEndPoint)closedV4.LocalEndPoint!).Port;
        using var closedV6 = BindOnly(IPAddress.IPv6Loopback, port);
        var dialer = new DirectConnector(TimeProvider.System, Timeout, null, (_, _) => Task.FromResult(new[] { IPAddress.IPv6Loopback, IPAddress.Loopback }));

        var result = await dialer.DialAsync(TestRequests.Connect("dual.test", (ushort)port), cancellationToken);

        result.Reply.Should().Be(ReplyCode.ConnectionRefused);
    }

    [TestCase("localhost")]
    [TestCase("localhost.")]
    public async Task DialAsync_LocalhostWithSystemResolver_Connects(string name, CancellationToken cancellationToken)
    {
        // /etc/hosts answers "localhost" without any network; whichever loopback it lists first, the race ends on
        // the listening one. "localhost." (absolute, issue 17 item 5) is the same name, though getaddrinfo's
        // hosts-file lookup alone does not find it.
        using var listener = Listen(IPAddress.Loopback);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var dialer = new DirectConnector(TimeProvider.System, Timeout, null);

        var result = await dialer.DialAsync(TestRequests.Connect(name, (ushort)port), cancellationToken);
        using var client = result.Socket;

        result.Reply.Should().Be(ReplyCode.Succeeded);
        result.RemoteEndPoint.Should().Be(new IPEndPoint(IPAddress.Loopback, port));
    }

    [TestCase("localhost..")]
    [TestCase(".")]
    [TestCase("no-such-host.invalid.")]
    public async Task DialAsync_NotAnAbsoluteNameOfAKnownHost_IsHostUnreachable(string name, CancellationToken cancellationToken)
    {
        var dialer = new DirectConnector(TimeProvider.System, Timeout, null);

        var result = await dialer.DialAsync(TestRequests.Connect(name, 9), cancellationToken);

        result.Reply.Should().Be(ReplyCode.HostUnreachable);
    }

    private static Socket Listen(IPAddress address)
    {
        var socket = BindOnly(address, 0);
        socket.Listen();
        return socket;
    }

    private static Socket BindOnly(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
