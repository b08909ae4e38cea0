using System.Net;
using System.Net.Sockets;

namespace Tests.Common;

/// <summary>A raw SOCKS5 client connection: handshake helpers and exact reads.</summary>
public sealed class Tunnel : IDisposable
{
    private Tunnel(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public static async Task<Tunnel> ConnectAsync(IPEndPoint proxy)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(proxy).WaitAsync(TestTimeouts.Generous);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new Tunnel(socket);
    }

    /// <summary>Greeting, RFC 1929 and CONNECT; returns the tunnel when REP is 00, null when the proxy closed it first.</summary>
    public static async Task<Tunnel?> TryOpenAsync(IPEndPoint proxy, IPEndPoint target, string user = "user", string password = "pass")
    {
        var tunnel = await ConnectAsync(proxy);
        try
        {
            await tunnel.SendAsync([0x05, 0x01, 0x02, .. SocksTestClient.UsernamePassword(user, password), .. SocksTestClient.ConnectRequest(target)]);
            var answer = await tunnel.ReceiveAsync(4 + 10);
            if (answer is null)
            {
                tunnel.Dispose();
                return null;
            }

            answer[..5].Should().Equal(0x05, 0x02, 0x01, 0x00, 0x05);
            answer[5].Should().Be(0x00, "REP of the CONNECT");
            return tunnel;
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            // Closed by a full server.
            tunnel.Dispose();
            return null;
        }
    }

    public static async Task<Tunnel> OpenAsync(IPEndPoint proxy, IPEndPoint target)
    {
        var tunnel = await TryOpenAsync(proxy, target);
        tunnel.Should().NotBeNull("the proxy has room for this session");
        return tunnel!;
    }

    public async Task SendAsync(byte[] data)
    {
        var memory = data.AsMemory();
        while (!memory.IsEmpty)
        {
            memory = memory[await Socket.SendAsync(memory, SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous)..];
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, or returns null on EOF first.</summary>
    public async Task<byte[]?> ReceiveAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await Socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
            if (n == 0)
            {
                return null;
            }

            read += n;
        }

        return buffer;
    }

    /// <summary>True when the proxy closed the connection (EOF or reset) before sending anything.</summary>
    public async Task<bool> IsClosedByPeerAsync()
    {
        var buffer = new byte[16];
        try
        {
            return await Socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous) == 0;
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return true;
        }
    }

    public void Dispose() => Socket.Dispose();
}
