using System.Net;
using System.Net.Sockets;

namespace Tests.Common;

/// <summary>
/// A UDP echo server on a loopback address and an OS-chosen port: every datagram goes back to its sender unchanged,
/// and every payload received is kept, in order, so a test can tell which datagrams reached it.
/// </summary>
public sealed class UdpEchoServer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Task _loop;
    private readonly List<byte[]> _received = [];
    private readonly List<IPEndPoint> _senders = [];

    /// <summary>Binds on <paramref name="address"/> (127.0.0.1 when null; [::] dual-stack) and starts echoing.</summary>
    public UdpEchoServer(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);

        // [::] also takes IPv4, so a name that resolves to either loopback address reaches it.
        if (address.Equals(IPAddress.IPv6Any))
        {
            _socket.DualMode = true;
        }
        _socket.Bind(new IPEndPoint(address, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(EchoAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The payloads received so far, in order.</summary>
    public IReadOnlyList<byte[]> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The source of each datagram received so far, in order.</summary>
    public IReadOnlyList<IPEndPoint> Senders
    {
        get
        {
            lock (_received)
            {
                return [.. _senders];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _loop;
    }

    private async Task EchoAsync()
    {
        var buffer = new byte[65536];
        var from = new IPEndPoint(EndPoint.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (true)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, from);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_received)
            {
                _received.Add(buffer.AsSpan(0, result.ReceivedBytes).ToArray());
                _senders.Add((IPEndPoint)result.RemoteEndPoint);
            }

            try
            {
                await _socket.SendToAsync(buffer.AsMemory(0, result.ReceivedBytes), SocketFlags.None, result.RemoteEndPoint);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }
}
