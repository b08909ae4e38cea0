using System.Diagnostics;
using System.Runtime.Versioning;

namespace Tests.Common;

/// <summary>
/// A real, tiny file system for "disk full" tests: a tmpfs of a few KiB mounted on a fresh directory (the tests run
/// as root), and a filler file that takes every free byte until <see cref="FreeSpace"/> deletes it. Unmounted and
/// removed on dispose.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SmallTmpfs : IDisposable
{
    private SmallTmpfs(string path) => Path = path;

    /// <summary>Gets the mount point.</summary>
    public string Path { get; }

    private string FillerPath => System.IO.Path.Combine(Path, "filler");

    /// <summary>Mounts a tmpfs of <paramref name="sizeKiB"/> KiB on a new directory under the temp directory.</summary>
    public static SmallTmpfs Mount(int sizeKiB = 16)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "socks-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        var result = Run("mount", "-t", "tmpfs", "-o", $"size={sizeKiB}k,mode=0755", "tmpfs", path);
        if (result.ExitCode != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"mount -t tmpfs failed ({result.ExitCode}): {result.Stderr}");
        }

        return new SmallTmpfs(path);
    }

    /// <summary>Fills the file system: appends to the filler file until the kernel answers ENOSPC.</summary>
    public void Fill()
    {
        using var filler = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        var block = new byte[512];
        try
        {
            // Small blocks, so that at the end even the last partial page is taken.
            while (true)
            {
                filler.Write(block);
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }

        var free = new DriveInfo(Path).AvailableFreeSpace;
        if (free > 0)
        {
            throw new InvalidOperationException($"The tmpfs still has {free} bytes free after filling it.");
        }
    }

    /// <summary>Deletes the filler: the space is free again.</summary>
    public void FreeSpace() => File.Delete(FillerPath);

    public void Dispose()
    {
        // Lazy: a process under test that still holds a file open must not keep the mount (and the test run) alive.
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path);
        }
        catch (IOException)
        {
            // Still busy for a moment after a lazy unmount; the temp directory is cleaned up eventually.
        }
    }

    private static RunResult Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return new RunResult(process.ExitCode, stdout.Result, stderr);
    }
}
