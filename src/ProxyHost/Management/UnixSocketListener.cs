using System.Net.Sockets;
using ProxyHost.Unix;

namespace ProxyHost.Management;

/// <summary>
/// Creates the listening Unix socket of MCP (<c>-L unix:PATH</c>): mode 0660 from the start, a stale socket file of
/// an earlier run replaced, anything else at the path left alone (docs/socks5d.8, "MANAGEMENT").
/// </summary>
/// <remarks>
/// <para><b>Mode.</b> <c>bind(2)</c> creates the file with 0777 minus the process umask, so it is bound under the
/// umask 0117, which leaves exactly 0660 (owner and group may connect). Nothing can connect before <c>listen(2)</c>
/// (a connect then fails with ECONNREFUSED), and the mode is checked in between; so there is no moment at which
/// anybody outside the owner and group can connect, whatever umask socks5d was started with.</para>
/// <para><b>Stale files.</b> A socket file left by a process that was killed is replaced: a connect to it is refused.
/// A socket that accepts a connect (or whose backlog is full) belongs to a live server: "address already in use". A
/// path that is not a socket is never removed.</para>
/// <para><b>Removal.</b> The runtime unlinks the path of a bound Unix socket when the socket is disposed, which
/// <see cref="McpManagementServer.StopAsync"/> does at a graceful stop; after SIGKILL the file stays and the next
/// start replaces it.</para>
/// </remarks>
internal static class UnixSocketListener
{
    /// <summary>The socket file's mode: read and write (which connect needs) for the owner and the group.</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    private const string InUse = "address already in use (a server is listening on it)";

    /// <summary>The umask under which the socket is bound: everything but <see cref="Mode"/> (0117).</summary>
    private const UnixFileMode BindMask = UnixFileMode.UserExecute | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Binds and listens on <paramref name="path"/>.</summary>
    /// <param name="path">An absolute path whose directory exists.</param>
    /// <param name="replacedStale">True when a stale socket file was removed first.</param>
    /// <returns>The listening socket; disposing it removes the file.</returns>
    /// <exception cref="McpListenerException">The directory is missing, the path is in use or not a socket, or the mode could not be set.</exception>
    /// <exception cref="SocketException">bind(2) or listen(2) failed (e.g. <see cref="SocketError.AccessDenied"/> for a directory socks5d may not write).</exception>
    /// <exception cref="IOException">The path cannot be examined.</exception>
    public static Socket Listen(string path, out bool replacedStale)
    {
        var directory = Path.GetDirectoryName(path);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            throw new McpListenerException($"no such directory {directory} (create it first, e.g. RuntimeDirectory= under systemd)");
        }

        var endpoint = new UnixDomainSocketEndPoint(path);
        replacedStale = RemoveIfStale(path, endpoint);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            ProcessUmask.Run(BindMask, () => socket.Bind(endpoint));
            EnsureMode(path);
            socket.Listen();
            return socket;
        }
        catch
        {
            // Once bound, disposing also unlinks the file, so a failed start leaves nothing behind.
            socket.Dispose();
            throw;
        }
    }

    private static bool RemoveIfStale(string path, UnixDomainSocketEndPoint endpoint)
    {
        if (!UnixFileStatus.TryGet(path, out var status))
        {
            return false;
        }

        if (status.IsDirectory)
        {
            throw new McpListenerException($"{path} is a directory; give the socket's own path, e.g. unix:{path}/mcp.sock");
        }

        if (!status.IsSocket)
        {
            throw new McpListenerException($"{path} exists and is not a socket (remove it or choose another path)");
        }

        // Non-blocking: a live server accepts at once or has a full backlog (EAGAIN); neither waits. Only ECONNREFUSED
        // (nobody listens) makes the file stale: it was left by a server that did not stop gracefully.
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false })
        {
            try
            {
                probe.Connect(endpoint);
                throw new McpListenerException(InUse);
            }
            catch (SocketException exception)
            {
                switch (exception.SocketErrorCode)
                {
                    case SocketError.ConnectionRefused:
                        break;
                    case SocketError.AddressNotAvailable:
                        // ENOENT: removed meanwhile.
                        return false;
                    case SocketError.WouldBlock:
                        throw new McpListenerException(InUse);
                    case SocketError.AccessDenied:
                        throw new McpListenerException(
                            $"{path} is a socket that socks5d may not connect to, so it cannot tell whether it is in use (permission denied)");
                    default:
                        throw new McpListenerException($"{path} is a socket whose state cannot be checked ({exception.SocketErrorCode})");
                }
            }
        }

        File.Delete(path);
        return true;
    }

    private static void EnsureMode(string path)
    {
        if (!UnixFileStatus.TryGet(path, out var status) || !status.IsSocket)
        {
            throw new McpListenerException($"{path} was replaced while it was being created");
        }

        if (status.Permissions != Mode && !OperatingSystem.IsWindows())
        {
            // Only a default ACL on the directory can do this; not listening yet, so the change has no window.
            File.SetUnixFileMode(path, Mode);
            if (!UnixFileStatus.TryGet(path, out status) || !status.IsSocket || status.Permissions != Mode)
            {
                throw new McpListenerException($"the socket file could not be given mode 0660 (it has {FileModeText(status.Permissions)})");
            }
        }
    }

    private static string FileModeText(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
