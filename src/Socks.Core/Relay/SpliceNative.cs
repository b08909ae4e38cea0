using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Socks.Core.Relay;

/// <summary>
/// The Linux system calls of the kernel relay: <c>splice(2)</c>, <c>pipe2(2)</c>, <c>fcntl(2)</c> for the pipe size,
/// <c>read(2)</c> and <c>close(2)</c> on pipe descriptors. The flag and errno values are those of the generic Linux ABI
/// (x86-64 and arm64 alike).
/// </summary>
internal static class SpliceNative
{
    /// <summary><c>SPLICE_F_MOVE</c>: move pages instead of copying, where the kernel can.</summary>
    public const uint Move = 1;

    /// <summary><c>SPLICE_F_NONBLOCK</c>: do not block on the pipe (the sockets are non-blocking already).</summary>
    public const uint NonBlock = 2;

    /// <summary><c>EINTR</c>.</summary>
    public const int Interrupted = 4;

    /// <summary><c>EAGAIN</c>: nothing to read, or no room to write, right now.</summary>
    public const int WouldBlock = 11;

    private const int OpenNonBlock = 0x800;
    private const int OpenCloseOnExec = 0x80000;
    private const int SetPipeSize = 1031;
    private const int GetPipeSize = 1032;

    /// <summary>Moves up to <paramref name="length"/> bytes from one descriptor to another through the kernel.</summary>
    /// <returns>The bytes moved, 0 at EOF, or -1 with the error in <see cref="Marshal.GetLastPInvokeError"/>.</returns>
    [DllImport("libc", EntryPoint = "splice", SetLastError = true)]
    public static extern nint Splice(int input, nint inputOffset, int output, nint outputOffset, nuint length, uint flags);

    /// <summary>Reads from a descriptor (here: a pipe).</summary>
    /// <returns>The bytes read, 0 at EOF, or -1 with the error.</returns>
    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    public static extern nint Read(int descriptor, ref byte buffer, nuint count);

    /// <summary>Closes a descriptor.</summary>
    /// <returns>0, or -1 with the error.</returns>
    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int descriptor);

    /// <summary>Opens a non-blocking, close-on-exec pipe and asks for <paramref name="size"/> bytes of room.</summary>
    /// <param name="size">The room wanted; the kernel rounds it to pages and may give less.</param>
    /// <param name="readEnd">The read end.</param>
    /// <param name="writeEnd">The write end.</param>
    /// <param name="capacity">The room the pipe has.</param>
    /// <returns>True when the pipe is open; false when the process is out of descriptors or pipes.</returns>
    public static bool TryOpenPipe(int size, out int readEnd, out int writeEnd, out int capacity)
    {
        var descriptors = new int[2];
        if (Pipe2(descriptors, OpenNonBlock | OpenCloseOnExec) != 0)
        {
            (readEnd, writeEnd, capacity) = (-1, -1, 0);
            return false;
        }

        (readEnd, writeEnd) = (descriptors[0], descriptors[1]);

        // A pipe keeps the default room (16 pages) when the larger size is refused (pipe-max-size, or the user's quota).
        _ = Fcntl(writeEnd, SetPipeSize, size);
        capacity = Fcntl(writeEnd, GetPipeSize, 0);
        if (capacity <= 0)
        {
            _ = Close(readEnd);
            _ = Close(writeEnd);
            (readEnd, writeEnd, capacity) = (-1, -1, 0);
            return false;
        }

        return true;
    }

    /// <summary>The socket error of a failed splice on a socket, as the runtime's own calls would report it.</summary>
    /// <param name="errno">The error number.</param>
    /// <returns>The socket error.</returns>
    public static SocketError ToSocketError(int errno) => errno switch
    {
        9 => SocketError.OperationAborted, // EBADF: the relay was aborted and the socket closed
        32 => SocketError.Shutdown, // EPIPE
        101 => SocketError.NetworkUnreachable,
        103 => SocketError.ConnectionAborted,
        104 => SocketError.ConnectionReset,
        107 => SocketError.NotConnected,
        110 => SocketError.TimedOut,
        113 => SocketError.HostUnreachable,
        _ => SocketError.SocketError,
    };

    [DllImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static extern int Pipe2(int[] descriptors, int flags);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int descriptor, int command, int argument);
}
