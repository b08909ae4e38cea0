using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ProxyHost.Unix;

/// <summary>
/// What <c>statx(2)</c> says about a path, without following a symbolic link: its type, permission bits and owner.
/// .NET exposes the permission bits (<see cref="File.GetUnixFileMode(string)"/>) but not the file type, and socks5d
/// must tell a stale socket file (which it may replace) from any other file (which it must never remove).
/// </summary>
/// <remarks>
/// <c>statx</c> rather than <c>lstat</c>: <c>struct statx</c> has one layout on every architecture (linux/stat.h), so
/// the offsets below hold for x86-64 and arm64 alike, where <c>struct stat</c> differs.
/// </remarks>
/// <param name="Type">The file type bits (<c>S_IFMT</c> of the mode).</param>
/// <param name="Permissions">The permission bits (<c>07777</c> of the mode).</param>
/// <param name="Uid">The owner.</param>
/// <param name="Gid">The group.</param>
internal readonly record struct UnixFileStatus(int Type, UnixFileMode Permissions, uint Uid, uint Gid)
{
    private const int SocketType = 0xC000; // S_IFSOCK, 0140000
    private const int DirectoryType = 0x4000; // S_IFDIR, 0040000
    private const int TypeMask = 0xF000; // S_IFMT, 0170000
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7FF;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    /// <summary>Gets a value indicating whether the path is a socket (<c>S_IFSOCK</c>).</summary>
    public bool IsSocket => Type == SocketType;

    /// <summary>Gets a value indicating whether the path is a directory (<c>S_IFDIR</c>).</summary>
    public bool IsDirectory => Type == DirectoryType;

    /// <summary>Reads the status of <paramref name="path"/> itself (a symbolic link is not followed).</summary>
    /// <param name="path">The path.</param>
    /// <param name="status">The status, when the path exists.</param>
    /// <returns>False when nothing exists at the path.</returns>
    /// <exception cref="IOException">The path exists but cannot be examined (for example permission denied).</exception>
    public static bool TryGet(string path, out UnixFileStatus status)
    {
        status = default;
        var buffer = new byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error is ENOENT or ENOTDIR)
            {
                return false;
            }

            throw new IOException($"cannot examine {path}: {Marshal.GetPInvokeErrorMessage(error).ToLowerInvariant()}");
        }

        // struct statx: stx_uid at 0x14, stx_gid at 0x18, stx_mode (16 bits) at 0x1C, in host byte order.
        var uid = ReadUInt32(buffer, 0x14);
        var gid = ReadUInt32(buffer, 0x18);
        var mode = BitConverter.IsLittleEndian
            ? BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(0x1C))
            : BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(0x1C));
        status = new UnixFileStatus(mode & TypeMask, (UnixFileMode)(mode & 0xFFF), uid, gid);
        return true;
    }

    private static uint ReadUInt32(byte[] buffer, int offset) => BitConverter.IsLittleEndian
        ? BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset))
        : BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(offset));

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
