using System.Net;
using System.Net.Sockets;
using System.Text;
using Socks.Core.Metrics;
using Socks.Core.Relay;

namespace Socks.Core.Tests.Relay;

/// <summary>The user-space relay on its own, between two loopback connections.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class UserSpaceRelayTests
{
    [Test]
    public async Task RelayAsync_PendingData_GoesFirstAndResultCountsOnlyWhatTheRelayForwarded()
    {
        using var legs = await Legs.OpenAsync();
        using var metrics = new SocksMetrics(meterFactory: null);
        var traffic = metrics.OpenTraffic();

        // As the handshake leaves it: 20 bytes read (5 of them pending data), a 10-byte reply sent.
        traffic.AddClientReceived(20);
        traffic.AddClientSent(10);
        var released = 0;
        var aborts = 0;
        var relay = new UserSpaceRelay(bufferSize: 512);

        var running = relay.RelayAsync(new RelayRequest
        {
            Client = legs.ClientSide,
            Target = legs.TargetSide,
            PendingClientData = "hello"u8.ToArray(),
            PendingForwarded = () => released++,
            Traffic = traffic,
            Abort = () => aborts++,
        });
        await SendAsync(legs.Client, " world");
        legs.Client.Shutdown(SocketShutdown.Send);
        (await ReadToEndAsync(legs.Target)).Should().Be("hello world");
        await SendAsync(legs.Target, "ok");
        legs.Target.Shutdown(SocketShutdown.Send);
        (await ReadToEndAsync(legs.Client)).Should().Be("ok");
        var result = await running;

        result.Should().Be(new RelayResult(RelayEnd.Completed, SocketError.Success, ClientToTarget: 11, TargetToClient: 2));
        released.Should().Be(1);
        aborts.Should().Be(0);
        traffic.ClientReceived.Should().Be(26);
        traffic.ClientSent.Should().Be(12);
        traffic.TargetReceived.Should().Be(2);
        traffic.TargetSent.Should().Be(11);
    }

    [Test]
    public async Task RelayAsync_TargetResets_AbortsOnceAndNamesTheTarget()
    {
        using var legs = await Legs.OpenAsync();
        using var metrics = new SocksMetrics(meterFactory: null);
        var aborts = 0;
        var relay = new UserSpaceRelay(bufferSize: 512);

        var running = relay.RelayAsync(new RelayRequest
        {
            Client = legs.ClientSide,
            Target = legs.TargetSide,
            Traffic = metrics.OpenTraffic(),
            Abort = () =>
            {
                aborts++;
                legs.ClientSide.Dispose();
                legs.TargetSide.Dispose();
            },
        });
        legs.Target.LingerState = new LingerOption(true, 0);
        legs.Target.Dispose();
        var result = await running;

        result.End.Should().Be(RelayEnd.TargetFailed);
        result.Error.Should().Be(SocketError.ConnectionReset);
        aborts.Should().Be(1);
    }

    private static async Task SendAsync(Socket socket, string text)
    {
        var rest = Encoding.ASCII.GetBytes(text).AsMemory();
        while (!rest.IsEmpty)
        {
            rest = rest[await socket.SendAsync(rest, SocketFlags.None)..];
        }
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[256];
        int n;
        while ((n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    /// <summary>Two loopback connections: the test's client and target ends, and the relay's sides of each.</summary>
    private sealed class Legs : IDisposable
    {
        private Legs(Socket client, Socket clientSide, Socket target, Socket targetSide)
        {
            Client = client;
            ClientSide = clientSide;
            Target = target;
            TargetSide = targetSide;
        }

        public Socket Client { get; }

        public Socket ClientSide { get; }

        public Socket Target { get; }

        public Socket TargetSide { get; }

        public static async Task<Legs> OpenAsync()
        {
            var (client, clientSide) = await PairAsync();
            var (target, targetSide) = await PairAsync();
            return new Legs(client, clientSide, target, targetSide);
        }

        public void Dispose()
        {
            Client.Dispose();
            ClientSide.Dispose();
            Target.Dispose();
            TargetSide.Dispose();
        }

        private static async Task<(Socket Outer, Socket Inner)> PairAsync()
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            var outer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await outer.ConnectAsync(listener.LocalEndPoint!);
            return (outer, await listener.AcceptAsync());
        }
    }
}
