using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Socks.Core.Protocol;

namespace Tests.Common;

/// <summary>
/// A raw-socket SOCKS5 client for tests: sends exact bytes, reads exact bytes, and counts every byte it sends and
/// receives (so tests can compare the proxy's metrics with what really crossed the client socket).
/// </summary>
/// <remarks>
/// It encodes its messages itself rather than through the engine's codec: a client written from RFC 1928/1929 checks
/// the server, and end-to-end tests that use it need nothing internal.
/// </remarks>
public sealed class SocksTestClient : IDisposable
{
    private const byte Version = 0x05;
    private const byte SubnegotiationVersion = 0x01;

    private SocksTestClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>Bytes sent so far.</summary>
    public long Sent { get; private set; }

    /// <summary>Bytes received so far.</summary>
    public long Received { get; private set; }

    /// <summary>
    /// Connects to the proxy from the source address <paramref name="from"/> (port chosen by the OS), or from
    /// wherever the OS routes when null. On Linux every address of 127.0.0.0/8 is on lo, so 127.0.0.2, 127.0.0.3,
    /// ... give a test distinct client addresses without any set-up.
    /// </summary>
    /// <param name="server">The proxy.</param>
    /// <param name="from">The source address, or null.</param>
    /// <param name="receiveBufferSize">SO_RCVBUF set before connecting (a small one makes a slow reader), or null for the default.</param>
    public static async Task<SocksTestClient> ConnectAsync(IPEndPoint server, IPAddress? from = null, int? receiveBufferSize = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            socket.ReceiveBufferSize = size;
        }

        try
        {
            if (from is not null)
            {
                socket.Bind(new IPEndPoint(from, 0));
            }

            await socket.ConnectAsync(server).WaitAsync(TestTimeouts.Generous);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new SocksTestClient(socket);
    }

    /// <summary>Connects and completes greeting, optional RFC 1929 and a CONNECT to <paramref name="target"/>; asserts REP 00.</summary>
    public static async Task<SocksTestClient> OpenTunnelAsync(IPEndPoint server, IPEndPoint target, string? user = "user", string password = "pass", int? receiveBufferSize = null)
    {
        var client = await ConnectAsync(server, receiveBufferSize: receiveBufferSize);
        await client.NegotiateAsync(user, password);
        var reply = await client.RequestConnectAsync(target);
        reply.Code.Should().Be(ReplyCode.Succeeded);
        return client;
    }

    /// <summary>
    /// Greeting, RFC 1929 and CONNECT sent together (pipelined, as a fast client does); returns the client when REP is
    /// 00, null when the proxy closed the connection first (a full server).
    /// </summary>
    public static async Task<SocksTestClient?> TryOpenAsync(IPEndPoint proxy, IPEndPoint target, string user = "user", string password = "pass")
    {
        var client = await ConnectAsync(proxy);
        try
        {
            await client.SendAsync([0x05, 0x01, 0x02, .. UsernamePassword(user, password), .. ConnectRequest(target)]);
            var answer = await client.ReceiveAsync(4 + 10);
            if (answer is null)
            {
                client.Dispose();
                return null;
            }

            answer[..5].Should().Equal(0x05, 0x02, 0x01, 0x00, 0x05);
            answer[5].Should().Be(0x00, "REP of the CONNECT");
            return client;
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            // Closed by a full server.
            client.Dispose();
            return null;
        }
    }

    /// <summary>Like <see cref="TryOpenAsync"/> as user:pass, asserting that the proxy had room for the session.</summary>
    public static async Task<SocksTestClient> OpenAsync(IPEndPoint proxy, IPEndPoint target)
    {
        var client = await TryOpenAsync(proxy, target);
        client.Should().NotBeNull("the proxy has room for this session");
        return client!;
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

    /// <summary>Greeting offering X'02' and the RFC 1929 request; returns the auth STATUS, or null when the proxy closed first.</summary>
    public async Task<byte?> AuthenticateAsync(string user, string password)
    {
        await SendAsync([0x05, 0x01, 0x02, .. UsernamePassword(user, password)]);
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

    /// <summary>Sends UDP ASSOCIATE (CMD X'03') announcing <paramref name="from"/> (0.0.0.0:0 when null) and reads the reply.</summary>
    public async Task<Reply> RequestUdpAssociateAsync(IPEndPoint? from = null)
    {
        await SendAsync(ConnectRequest(from ?? new IPEndPoint(IPAddress.Any, 0), command: 0x03));
        return await ReadReplyAsync();
    }

    /// <summary>Sends CONNECT to an address and returns REP (null when the proxy closed first).</summary>
    public Task<byte?> ConnectAsync(IPAddress address, int port) => RequestAsync(ConnectRequest(new IPEndPoint(address, port)));

    /// <summary>Sends CONNECT to a domain name (ATYP X'03') and returns REP (null when the proxy closed first).</summary>
    public Task<byte?> ConnectAsync(string domainName, int port) => RequestAsync(ConnectRequest(domainName, port));

    /// <summary>The RFC 1929 request: <c>01 ULEN UNAME PLEN PASSWD</c>, UTF-8.</summary>
    public static byte[] UsernamePassword(string user, string password)
    {
        var name = Encoding.UTF8.GetBytes(user);
        var secret = Encoding.UTF8.GetBytes(password);
        return [SubnegotiationVersion, checked((byte)name.Length), .. name, checked((byte)secret.Length), .. secret];
    }

    /// <summary>An RFC 1928 §4 request for an address (ATYP X'01' or X'04'); <paramref name="command"/> is CMD, CONNECT by default.</summary>
    public static byte[] ConnectRequest(IPEndPoint target, byte command = 0x01)
    {
        ArgumentNullException.ThrowIfNull(target);
        var isIPv4 = target.AddressFamily == AddressFamily.InterNetwork;
        return [Version, command, 0x00, isIPv4 ? (byte)0x01 : (byte)0x04, .. target.Address.GetAddressBytes(), .. Port(target.Port)];
    }

    /// <summary>An RFC 1928 §4 CONNECT for a domain name (ATYP X'03'), UTF-8.</summary>
    public static byte[] ConnectRequest(string host, int port) => DomainRequest(Encoding.UTF8.GetBytes(host), port);

    /// <summary>An RFC 1928 §4 request for a domain name given as raw bytes (ATYP X'03'); <paramref name="command"/> is CMD, CONNECT by default.</summary>
    public static byte[] DomainRequest(ReadOnlySpan<byte> name, int port, byte command = 0x01) =>
        [Version, command, 0x00, 0x03, checked((byte)name.Length), .. name, .. Port(port)];

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

    public Task SendAsync(params byte[] data) => SendAsync(data.AsMemory());

    public async Task SendAsync(ReadOnlyMemory<byte> data)
    {
        var rest = data;
        while (!rest.IsEmpty)
        {
            var sent = await Socket.SendAsync(rest, SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
            rest = rest[sent..];
            Sent += sent;
        }
    }

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>Reads exactly <paramref name="count"/> bytes; EOF first is an <see cref="EndOfStreamException"/>.</summary>
    public async Task<byte[]> ReceiveExactlyAsync(int count) =>
        await ReceiveAsync(count) ?? throw new EndOfStreamException($"EOF before {count} bytes");

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
            Received += n;
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
                Received += n;
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return [.. received];
        }
    }

    /// <summary>Reads until the proxy closes (EOF or reset) and returns how many bytes came before that.</summary>
    public async Task<int> ReceiveUntilClosedAsync() => (await ReadToEndAsync()).Length;

    /// <summary>True when the proxy closed the connection (EOF or reset) before sending anything.</summary>
    public async Task<bool> IsClosedByPeerAsync()
    {
        var buffer = new byte[16];
        try
        {
            var n = await Socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Generous);
            Received += n;
            return n == 0;
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return true;
        }
    }

    /// <summary>Asserts that the server closes the connection without sending anything more.</summary>
    public async Task ShouldBeClosedAsync() => (await ReadToEndAsync()).Should().BeEmpty();

    public void Dispose() => Socket.Dispose();

    internal static byte[] Port(int port)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, checked((ushort)port));
        return bytes;
    }

    /// <summary>Sends a request and returns REP, reading (and discarding) the rest of the reply; null when the proxy closed first.</summary>
    private async Task<byte?> RequestAsync(byte[] request)
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

    /// <summary>A parsed reply.</summary>
    /// <param name="Code">REP.</param>
    /// <param name="AddressType">ATYP.</param>
    /// <param name="Address">BND.ADDR, null for a domain name.</param>
    /// <param name="Port">BND.PORT.</param>
    public sealed record Reply(ReplyCode Code, byte AddressType, IPAddress? Address, ushort Port);
}
