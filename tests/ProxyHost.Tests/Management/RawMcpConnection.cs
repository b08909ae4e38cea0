using System.Net;
using System.Net.Sockets;

namespace ProxyHost.Tests.Management;

/// <summary>A plain TCP (or Unix-socket) connection for sending hand-written bytes and checking the exact bytes that come back.</summary>
internal sealed class RawMcpConnection : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private RawMcpConnection(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>Connects over TCP, or to a Unix socket for a <see cref="UnixDomainSocketEndPoint"/>.</summary>
    public static async Task<RawMcpConnection> ConnectAsync(EndPoint endPoint)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint).WaitAsync(Timeout);
        }
        catch
        {
            // Not swallowed: release the socket and fail the test with the original exception.
            socket.Dispose();
            throw;
        }

        return new RawMcpConnection(socket);
    }

    public async Task SendAsync(params byte[] bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await Socket.SendAsync(bytes.AsMemory(sent)).AsTask().WaitAsync(Timeout);
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes; fails if the server closes first.</summary>
    public async Task<byte[]> ReadAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await Socket.ReceiveAsync(buffer.AsMemory(read)).AsTask().WaitAsync(Timeout);
            if (n == 0)
            {
                Assert.Fail($"The server closed the connection after {read} of {count} expected bytes: {Convert.ToHexString(buffer, 0, read)}");
            }

            read += n;
        }

        return buffer;
    }

    /// <summary>Reads until the server closes its side; returns what arrived before the EOF.</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var n = await Socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Timeout);
            if (n == 0)
            {
                return received.ToArray();
            }

            received.Write(buffer, 0, n);
        }
    }

    public ValueTask DisposeAsync()
    {
        Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
