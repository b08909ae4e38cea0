using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Mcp.Protocol.Tests.Support;

/// <summary>
/// A real TCP peer on 127.0.0.1:0 that plays the server side of a test script: it reads exactly the bytes the test
/// expects and writes exactly the bytes the test gives it.
/// </summary>
internal sealed class ScriptedMcpServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _timeout = new(Timeout);
    private Socket? _socket;
    private NetworkStream? _stream;

    private ScriptedMcpServer(TcpListener listener) => _listener = listener;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private NetworkStream Stream => _stream ?? throw new InvalidOperationException("No client has connected yet.");

    public static ScriptedMcpServer Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new ScriptedMcpServer(listener);
    }

    /// <summary>Connects a client with <see cref="McpClient.ConnectAsync(string, int, CancellationToken)"/> and accepts it.</summary>
    public async Task<McpClient> ConnectClientAsync()
    {
        var accept = _listener.AcceptSocketAsync(_timeout.Token).AsTask();
        var client = await McpClient.ConnectAsync(IPAddress.Loopback.ToString(), Port, _timeout.Token);
        _socket = await accept;
        _stream = new NetworkStream(_socket, ownsSocket: false);
        return client;
    }

    /// <summary>Connects a plain <see cref="TcpClient"/>, accepts it, and returns the client side's stream.</summary>
    public async Task<NetworkStream> ConnectStreamAsync()
    {
        var accept = _listener.AcceptSocketAsync(_timeout.Token).AsTask();
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, _timeout.Token);
        _socket = await accept;
        _stream = new NetworkStream(_socket, ownsSocket: false);
        return client.GetStream();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public async Task<byte[]> ReadExactlyAsync(int count)
    {
        var buffer = new byte[count];
        await Stream.ReadExactlyAsync(buffer, _timeout.Token);
        return buffer;
    }

    /// <summary>Reads one whole frame as delimited by its LEN field (header + payload).</summary>
    public async Task<byte[]> ReadFrameAsync()
    {
        var header = await ReadExactlyAsync(McpConstants.HeaderLength);
        var payload = await ReadExactlyAsync(BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2)));
        return [.. header, .. payload];
    }

    /// <summary>Waits until the client closes its side, asserting it sent nothing more.</summary>
    public async Task<int> ReadUntilClosedAsync()
    {
        var buffer = new byte[256];
        var total = 0;
        int read;
        while ((read = await Stream.ReadAsync(buffer, _timeout.Token)) > 0)
        {
            total += read;
        }

        return total;
    }

    public async Task WriteAsync(byte[] bytes) => await Stream.WriteAsync(bytes, _timeout.Token);

    /// <summary>Closes the connection gracefully (FIN).</summary>
    public void Close()
    {
        _socket?.Shutdown(SocketShutdown.Both);
        _socket?.Close();
    }

    /// <summary>Closes the connection abortively (RST), like a crashed peer.</summary>
    public void Abort()
    {
        if (_socket is not null)
        {
            _socket.LingerState = new LingerOption(true, 0);
            _socket.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _socket?.Dispose();
        _listener.Stop();
        _listener.Dispose();
        _timeout.Dispose();
    }
}
