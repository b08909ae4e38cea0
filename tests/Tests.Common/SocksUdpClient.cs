using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tests.Common;

/// <summary>
/// The UDP side of a SOCKS5 UDP association for tests (RFC 1928 §7): a UDP socket on a loopback address that wraps
/// datagrams in the request header, sends them to the relay, and unwraps what comes back. Encodes the header itself,
/// from the RFC, like <see cref="SocksTestClient"/>.
/// </summary>
public sealed class SocksUdpClient : IDisposable
{
    /// <summary>Binds a UDP socket on <paramref name="from"/> (port chosen by the OS) that talks to <paramref name="relay"/>.</summary>
    public SocksUdpClient(IPEndPoint relay, IPAddress from)
    {
        Relay = relay;
        Socket = new Socket(from.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        Socket.Bind(new IPEndPoint(from, 0));
    }

    public IPEndPoint Relay { get; }

    public Socket Socket { get; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)Socket.LocalEndPoint!;

    /// <summary>The datagram <c>RSV RSV FRAG ATYP DST.ADDR DST.PORT DATA</c> for an address (ATYP X'01' or X'04').</summary>
    public static byte[] Datagram(IPEndPoint destination, ReadOnlySpan<byte> data, byte fragment = 0)
    {
        var v4 = destination.AddressFamily == AddressFamily.InterNetwork;
        return [0, 0, fragment, v4 ? (byte)0x01 : (byte)0x04, .. destination.Address.GetAddressBytes(), .. Port(destination.Port), .. data];
    }

    /// <summary>The datagram for a name (ATYP X'03').</summary>
    public static byte[] Datagram(string host, int port, ReadOnlySpan<byte> data)
    {
        var name = Encoding.ASCII.GetBytes(host);
        return [0, 0, 0, 0x03, checked((byte)name.Length), .. name, .. Port(port), .. data];
    }

    /// <summary>Sends raw bytes to the relay.</summary>
    public async Task SendRawAsync(byte[] datagram) =>
        await Socket.SendToAsync(datagram, SocketFlags.None, Relay).WaitAsync(TestTimeouts.Generous);

    /// <summary>Sends <paramref name="data"/> for <paramref name="destination"/> through the relay.</summary>
    public Task SendAsync(IPEndPoint destination, byte[] data) => SendRawAsync(Datagram(destination, data));

    /// <summary>Receives one datagram from the relay and unwraps it: the source it names and its DATA.</summary>
    public async Task<(IPEndPoint Source, byte[] Data)> ReceiveAsync()
    {
        var buffer = new byte[65536];
        var result = await Socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(Relay.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0))
            .WaitAsync(TestTimeouts.Generous);
        ((IPEndPoint)result.RemoteEndPoint).Should().Be(Relay, "replies come from the relay");
        return Parse(buffer.AsSpan(0, result.ReceivedBytes));
    }

    /// <summary>Unwraps a datagram from the relay: RSV and FRAG must be 0, ATYP X'01' or X'04'.</summary>
    public static (IPEndPoint Source, byte[] Data) Parse(ReadOnlySpan<byte> datagram)
    {
        datagram[..3].ToArray().Should().Equal([0, 0, 0], "RSV and FRAG of a relayed datagram");
        var length = datagram[3] switch
        {
            0x01 => 4,
            0x04 => 16,
            var other => throw new AssertionException($"relayed datagram with ATYP {other:x2}"),
        };
        var address = new IPAddress(datagram.Slice(4, length));
        var port = BinaryPrimitives.ReadUInt16BigEndian(datagram[(4 + length)..]);
        return (new IPEndPoint(address, port), datagram[(6 + length)..].ToArray());
    }

    public void Dispose() => Socket.Dispose();

    private static byte[] Port(int port) => SocksTestClient.Port(port);
}
