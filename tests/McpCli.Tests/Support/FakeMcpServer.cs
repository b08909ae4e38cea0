using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace McpCli.Tests.Support;

/// <summary>
/// An MCP server on 127.0.0.1:0 written from the memo by hand (no Mcp.Protocol code), so tests
/// check mcpctl against the wire format itself. It records every request's exact bytes and
/// answers with whatever the test scripts.
/// </summary>
internal sealed class FakeMcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<byte[], Reply> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<byte[]> _requests = new();
    private readonly ConcurrentBag<Socket> _connections = [];
    private readonly Task _acceptLoop;

    private FakeMcpServer(Func<byte[], Reply> script)
    {
        _script = script;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The port the OS chose.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Every request received, header and payload, in arrival order.</summary>
    public IReadOnlyList<byte[]> Requests => [.. _requests];

    /// <summary>Starts a server that answers each request with <paramref name="script"/>(request bytes).</summary>
    public static FakeMcpServer Start(Func<byte[], Reply> script) => new(script);

    /// <summary>Starts a server that answers every request with the same reply.</summary>
    public static FakeMcpServer Start(Reply reply) => new(_ => reply);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(30));
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var handlers = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _connections.Add(socket);
                handlers.Add(ServeAsync(socket));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The listener was stopped by DisposeAsync: that is how this loop ends.
        }

        await Task.WhenAll(handlers);
    }

    private async Task ServeAsync(Socket socket)
    {
        var token = _stop.Token;
        try
        {
            while (true)
            {
                // Header: VER, CMD, LEN (memo §3); then exactly LEN payload bytes.
                var header = new byte[4];
                if (!await ReadExactlyOrEofAsync(socket, header, token))
                {
                    return;
                }

                var payload = new byte[BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2))];
                var complete = await ReadExactlyOrEofAsync(socket, payload, token);
                byte[] request = [.. header, .. payload];
                _requests.Enqueue(request);
                if (!complete)
                {
                    return;
                }

                var reply = _script(request);
                if (reply.Silent)
                {
                    // Never answer: hold the connection until the client closes it or the server stops.
                    var sink = new byte[256];
                    while (await socket.ReceiveAsync(sink, SocketFlags.None, token) > 0)
                    {
                        // Whatever else the client sends is ignored too.
                    }

                    return;
                }

                await socket.SendAsync(reply.Bytes, SocketFlags.None, token);
                if (reply.HangUp)
                {
                    socket.Shutdown(SocketShutdown.Both);
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away or the server is being disposed; either ends this connection.
        }
        finally
        {
            socket.Dispose();
        }
    }

    // False on a clean EOF before the buffer filled (the client closed the connection).
    private static async Task<bool> ReadExactlyOrEofAsync(Socket socket, byte[] buffer, CancellationToken token)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, token);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }
}
