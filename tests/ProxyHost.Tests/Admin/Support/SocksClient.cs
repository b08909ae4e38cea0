using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Socks.Core.Protocol;

namespace ProxyHost.Tests.Admin.Support;

/// <summary>
/// A raw SOCKS5 client that counts every byte it sends and receives, so tests can compare GET_METRICS with what
/// really crossed the client socket.
/// </summary>
internal sealed class SocksClient : IDisposable
{
    private SocksClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public long Sent { get; private set; }

    public long Received { get; private set; }

    public static async Task<SocksClient> ConnectAsync(IPEndPoint proxy)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(proxy).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new SocksClient(socket);
    }

    /// <summary>Greeting offering X'02' and the RFC 1929 request; returns the auth STATUS, or null when the proxy closed first.</summary>
    public async Task<byte?> AuthenticateAsync(string user, string password)
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write<byte>([0x05, 0x01, 0x02]);
        Socks5Writer.WriteUsernamePassword(user, password, output);
        await SendAsync(output.WrittenMemory);
        var method = await ReceiveAsync(2);
        if (method is null)
        {
            return null;
        }

        method.Should().Equal(0x05, 0x02);
        var status = await ReceiveAsync(2);
        if (status is null)
        {
            return null;
        }

        status[0].Should().Be(0x01, "RFC 1929 sub-negotiation version");
        return status[1];
    }

    /// <summary>Sends CONNECT to an address and returns REP (null when the proxy closed first).</summary>
    public Task<byte?> ConnectAsync(IPAddress address, int port)
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteRequest(SocksCommand.Connect, address, (ushort)port, output);
        return RequestAsync(output.WrittenMemory);
    }

    /// <summary>Sends CONNECT to a domain name (ATYP X'03') and returns REP (null when the proxy closed first).</summary>
    public Task<byte?> ConnectAsync(string domainName, int port)
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteRequest(SocksCommand.Connect, domainName, (ushort)port, output);
        return RequestAsync(output.WrittenMemory);
    }

    public async Task SendAsync(ReadOnlyMemory<byte> data)
    {
        var rest = data;
        while (!rest.IsEmpty)
        {
            var n = await Socket.SendAsync(rest, SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            rest = rest[n..];
            Sent += n;
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, or returns null on EOF first.</summary>
    public async Task<byte[]?> ReceiveAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await Socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            if (n == 0)
            {
                return null;
            }

            read += n;
            Received += n;
        }

        return buffer;
    }

    /// <summary>Reads until the proxy closes (EOF or reset) and returns how many bytes came before that.</summary>
    public async Task<int> ReceiveUntilClosedAsync()
    {
        var buffer = new byte[4096];
        var total = 0;
        try
        {
            int n;
            while ((n = await Socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30))) > 0)
            {
                total += n;
                Received += n;
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            // A reset is a close too; nothing more arrives.
        }

        return total;
    }

    public void Dispose() => Socket.Dispose();

    private async Task<byte?> RequestAsync(ReadOnlyMemory<byte> request)
    {
        await SendAsync(request);
        var head = await ReceiveAsync(4);
        if (head is null)
        {
            return null;
        }

        head[0].Should().Be(0x05);
        var addressLength = head[3] switch
        {
            0x01 => 4,
            0x04 => 16,
            0x03 => (await ReceiveAsync(1))![0],
            _ => throw new AssertionException($"reply with ATYP {head[3]:X2}"),
        };
        (await ReceiveAsync(addressLength + 2)).Should().NotBeNull("the reply is complete");
        return head[1];
    }
}
