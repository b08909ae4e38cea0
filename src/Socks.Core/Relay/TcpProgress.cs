using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Socks.Core.Relay;

/// <summary>
/// The idle timer's progress probe for a relayed session: whether the kernel moved bytes on either leg since the
/// last look, read from <c>TCP_INFO</c>. A write blocked behind a slow reader completes only when the whole chunk
/// fits in the send buffer, seconds after the reader started taking it; meanwhile the kernel keeps sending into
/// every window the reader opens. Counting that as activity is what keeps a slow but steady reader alive, while a
/// reader that stopped (a closed window, nothing sent) stays idle.
/// </summary>
/// <remarks>
/// The counters are <c>tcpi_bytes_sent</c> (bytes the kernel transmitted into the peer's window, Linux 4.19) and
/// <c>tcpi_bytes_received</c> (bytes it took from the peer, Linux 4.1); a kernel without <c>tcpi_bytes_sent</c>
/// gives <c>tcpi_bytes_acked</c> instead. Zero-window probes and keep-alives carry no data and move neither. A
/// socket that is not TCP, is closed, or is on another system reads as zero: the user-space activity alone counts.
/// Only the timer calls <see cref="Moved"/>, never concurrently.
/// </remarks>
internal sealed class TcpProgress
{
    private const int IpProtoTcp = 6;
    private const int TcpInfo = 11;
    private const int BytesAckedOffset = 120;
    private const int BytesReceivedOffset = 128;
    private const int BytesSentOffset = 200;
    private const int InfoLength = BytesSentOffset + sizeof(long);

    private readonly Socket _client;
    private readonly Socket _target;
    private long _last = -1;

    /// <summary>Watches both legs of a session.</summary>
    /// <param name="client">The client leg.</param>
    /// <param name="target">The target leg.</param>
    public TcpProgress(Socket client, Socket target)
    {
        _client = client;
        _target = target;
    }

    /// <summary>Reads the kernel's counters of both legs.</summary>
    /// <returns>True when they changed since the previous call (and on the first call).</returns>
    public bool Moved()
    {
        var now = Read(_client) + Read(_target);
        var moved = now != _last;
        _last = now;
        return moved;
    }

    /// <summary>The bytes one socket's kernel sent and received, or 0 when it cannot tell.</summary>
    /// <param name="socket">A TCP socket.</param>
    /// <returns>A sum that grows whenever data moves on the socket.</returns>
    internal static long Read(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        Span<byte> info = stackalloc byte[InfoLength];
        int length;
        try
        {
            length = socket.GetRawSocketOption(IpProtoTcp, TcpInfo, info);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            return 0;
        }

        // struct tcp_info is in the host's byte order.
        if (length < BytesReceivedOffset + sizeof(long))
        {
            return 0;
        }

        var received = MemoryMarshal.Read<long>(info[BytesReceivedOffset..]);
        var sent = length >= InfoLength
            ? MemoryMarshal.Read<long>(info[BytesSentOffset..])
            : MemoryMarshal.Read<long>(info[BytesAckedOffset..]);
        return received + sent;
    }
}
