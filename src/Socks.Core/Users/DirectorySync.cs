using System.Runtime.InteropServices;

namespace Socks.Core.Users;

/// <summary>
/// fsync(2) on a directory, which makes a rename inside it durable. .NET has no API for it:
/// File.OpenHandle refuses directories on Unix (UnauthorizedAccessException, probed on .NET 10),
/// so this opens the directory with open(2) directly.
/// </summary>
internal static class DirectorySync
{
    private const int ORdOnly = 0;
    private const int EInvalid = 22;

    /// <summary>Syncs the directory; true on success or where there is nothing to do.</summary>
    /// <param name="directory">The directory to sync.</param>
    /// <param name="error">Why it failed, when it did.</param>
    public static bool TrySync(string directory, out string? error)
    {
        error = null;
        if (OperatingSystem.IsWindows())
        {
            // NTFS journals the rename itself; there is no directory handle to flush.
            return true;
        }

        var fd = Open(directory, ORdOnly | CloseOnExec());
        if (fd < 0)
        {
            error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            return false;
        }

        try
        {
            if (FSync(fd) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();

            // EINVAL: this file system cannot sync directories (some FUSE and network mounts);
            // nothing more can be done there, and the file's own data was already synced.
            if (errno == EInvalid)
            {
                return true;
            }

            error = Marshal.GetPInvokeErrorMessage(errno);
            return false;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // O_CLOEXEC so a child process started meanwhile does not inherit the descriptor.
    private static int CloseOnExec()
    {
        if (OperatingSystem.IsLinux())
        {
            return 0x80000;
        }

        if (OperatingSystem.IsMacOS())
        {
            return 0x1000000;
        }

        return OperatingSystem.IsFreeBSD() ? 0x100000 : 0;
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int FSync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
