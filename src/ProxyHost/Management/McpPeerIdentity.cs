using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ProxyHost.Management;

/// <summary>
/// Learns who an accepted admin client is, from the kernel: <c>SO_PEERCRED</c> on a Unix socket, the TCP socket
/// table (<see cref="TcpSocketTable"/>) on TCP. Runs on the connection's own task, before any request is read.
/// </summary>
internal static class McpPeerIdentity
{
    // SOL_SOCKET and SO_PEERCRED as on x86, x86-64 and arm (asm-generic/socket.h).
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>Identifies the client of <paramref name="socket"/>.</summary>
    /// <param name="socket">An accepted connection.</param>
    /// <param name="socketPath">The listener's path when it is a Unix socket, else null.</param>
    /// <returns>The peer; its uid is null when the kernel could not tell (never throws).</returns>
    public static McpPeer Identify(Socket socket, string? socketPath)
    {
        if (socketPath is not null)
        {
            return FromPeerCredentials(socket, socketPath);
        }

        if (socket.RemoteEndPoint is not IPEndPoint client)
        {
            return new McpPeer("unknown", null, "the client's address is unknown");
        }

        var clientText = client.ToString();
        IPEndPoint server;
        try
        {
            server = (IPEndPoint)socket.LocalEndPoint!;
        }
        catch (SocketException exception)
        {
            return new McpPeer(clientText, null, $"the connection failed before it could be looked up ({exception.SocketErrorCode})");
        }

        var owner = TcpSocketTable.FindOwner(client, server);
        return owner.Status switch
        {
            TcpOwnerStatus.Found => new McpPeer(clientText, owner.Uid, null),
            TcpOwnerStatus.Orphaned => new McpPeer(clientText, null, "the client had closed its socket before it could be looked up"),
            TcpOwnerStatus.NotFound => new McpPeer(clientText, null, "the client's socket is not in this host's socket table (a client on another host)"),
            _ => new McpPeer(clientText, null, $"the socket table cannot be read ({owner.Problem})"),
        };
    }

    private static McpPeer FromPeerCredentials(Socket socket, string socketPath)
    {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }, in host byte order: the credentials the client had when
        // it connected.
        Span<byte> credentials = stackalloc byte[12];
        int length;
        try
        {
            length = socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials);
        }
        catch (SocketException exception)
        {
            return new McpPeer($"unix:{socketPath}", null, $"SO_PEERCRED failed ({exception.SocketErrorCode})");
        }

        if (length < 12)
        {
            return new McpPeer($"unix:{socketPath}", null, $"SO_PEERCRED returned {length} bytes");
        }

        var pid = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadInt32LittleEndian(credentials) : BinaryPrimitives.ReadInt32BigEndian(credentials);
        var uid = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(credentials[4..]) : BinaryPrimitives.ReadUInt32BigEndian(credentials[4..]);
        return new McpPeer($"unix:{socketPath} (pid {pid.ToString(CultureInfo.InvariantCulture)})", uid, null);
    }
}
