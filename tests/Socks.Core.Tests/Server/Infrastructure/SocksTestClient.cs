using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Server.Infrastructure;

/// <summary>A raw-socket SOCKS5 client for tests: sends exact bytes, reads exact bytes.</summary>
internal sealed class SocksTestClient : IDisposable
{
    private SocksTestClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public static async Task<SocksTestClient> ConnectAsync(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server).WaitAsync(TestTimeouts.Generous);
        return new SocksTestClient(socket);
    }

    /// <summary>Connects and completes greeting, optional RFC 1929 and a CONNECT to <paramref name="target"/>; asserts REP 00.</summary>
    public static async Task<SocksTestClient> OpenTunnelAsync(IPEndPoint server, IPEndPoint target, string? user = "user", string password = "pass")
    {
        var client = await ConnectAsync(server);
        await client.NegotiateAsync(user, password);
        var reply = await client.RequestConnectAsync(target);
        reply.Code.Should().Be(ReplyCode.Succeeded);
        return client;
    }

    /// <summary>Greeting plus RFC 1929 when <paramref name="user"/> is given; asserts success.</summary>
    public async Task NegotiateAsync(string? user, string password = "pass")
    {
        if (user is null)
        {
            await SendAsync(0x05, 0x01, 0x00);
            (await ReceiveExactlyAsync(2)).Should().Equal(0x05, 0x00);
            return;
        }

        await SendAsync(0x05, 0x01, 0x02);
        (await ReceiveExactlyAsync(2)).Should().Equal(0x05, 0x02);
        await SendAsync(UsernamePassword(user, password));
        (await ReceiveExactlyAsync(2)).Should().Equal(0x01, 0x00);
    }

    /// <summary>Sends a CONNECT for an address and reads the reply.</summary>
    public async Task<Reply> RequestConnectAsync(IPEndPoint target)
    {
        await SendAsync(ConnectRequest(target));
        return await ReadReplyAsync();
    }

    /// <summary>Sends a CONNECT for a domain name and reads the reply.</summary>
    public async Task<Reply> RequestConnectAsync(string host, int port)
    {
        await SendAsync(ConnectRequest(host, port));
        return await ReadReplyAsync();
    }

    public static byte[] UsernamePassword(string user, string password)
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteUsernamePassword(user, password, output);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] ConnectRequest(IPEndPoint target, byte command = 0x01)
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteRequest(SocksCommand.Connect, target.Address, (ushort)target.Port, output);
        var bytes = output.WrittenSpan.ToArray();
        bytes[1] = command;
        return bytes;
    }

    public static byte[] ConnectRequest(string host, int port)
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteRequest(SocksCommand.Connect, host, (ushort)port, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Reads a whole RFC 1928 §6 reply (any ATYP).</summary>
    public async Task<Reply> ReadReplyAsync()
    {
        var header = await ReceiveExactlyAsync(4);
        header[0].Should().Be(0x05, "VER of a reply");
        header[2].Should().Be(0x00, "RSV of a reply");
        var addressLength = header[3] switch
        {
            0x01 => 4,
            0x04 => 16,
            0x03 => (await ReceiveExactlyAsync(1))[0],
            var other => throw new AssertionException($"reply ATYP {other:x2}"),
        };
        var rest = await ReceiveExactlyAsync(addressLength + 2);
        var port = BinaryPrimitives.ReadUInt16BigEndian(rest.AsSpan(addressLength));
        var address = header[3] == 0x03 ? null : new IPAddress(rest.AsSpan(0, addressLength));
        return new Reply((ReplyCode)header[1], header[3], address, port);
    }

    public async Task SendAsync(params byte[] data)
    {
        var memory = data.AsMemory();
        while (!memory.IsEmpty)
        {
            var sent = await Socket.SendAsync(memory, SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
            memory = memory[sent..];
        }
    }

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    public async Task<byte[]> ReceiveExactlyAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await Socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
            if (n == 0)
            {
                throw new EndOfStreamException($"EOF after {read} of {count} bytes");
            }

            read += n;
        }

        return buffer;
    }

    /// <summary>Reads until the server closes; returns what arrived. A reset counts as the close.</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await Socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
                if (n == 0)
                {
                    return [.. received];
                }

                received.AddRange(buffer.AsSpan(0, n));
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return [.. received];
        }
    }

    /// <summary>Asserts that the server closes the connection without sending anything more.</summary>
    public async Task ShouldBeClosedAsync() => (await ReadToEndAsync()).Should().BeEmpty();

    public void Dispose() => Socket.Dispose();

    /// <summary>A parsed reply.</summary>
    public sealed record Reply(ReplyCode Code, byte AddressType, IPAddress? Address, ushort Port);
}
