using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace McpCli.Tests.Support;

/// <summary>
/// A Linux pseudo-terminal, so a test can be the person at the keyboard of the real mcpctl:
/// the child gets the secondary side as stdin (a terminal, with echo), the test reads and types
/// on the primary side.
/// </summary>
internal sealed partial class PseudoTerminal : IDisposable
{
    internal const int ReadWrite = 0x2;   // O_RDWR
    internal const int NoControllingTerminal = 0x100;   // O_NOCTTY (Linux)

    private readonly FileStream _primary;
    private readonly FileStream _secondaryHold;
    private readonly StringBuilder _seen = new();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly Task _reader;

    private PseudoTerminal(FileStream primary, string secondaryPath)
    {
        _primary = primary;
        SecondaryPath = secondaryPath;
        // Holding the secondary open means the primary never reads EIO before the child has opened it.
        _secondaryHold = new FileStream(secondaryPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        _reader = Task.Factory.StartNew(ReadLoop, TaskCreationOptions.LongRunning);
    }

    /// <summary>The secondary device path (<c>/dev/pts/N</c>) to give the child as its terminal.</summary>
    public string SecondaryPath { get; }

    /// <summary>Everything the child wrote to the terminal, echo included.</summary>
    public string Screen
    {
        get
        {
            lock (_seen)
            {
                return _seen.ToString();
            }
        }
    }

    public static PseudoTerminal Open()
    {
        var fd = posix_openpt(ReadWrite | NoControllingTerminal);
        if (fd < 0 || grantpt(fd) != 0 || unlockpt(fd) != 0)
        {
            throw new IOException($"cannot open a pseudo-terminal (errno {Marshal.GetLastPInvokeError()})");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        Span<byte> name = stackalloc byte[128];
        if (ptsname_r(fd, name, (nuint)name.Length) != 0)
        {
            handle.Dispose();
            throw new IOException($"ptsname_r failed (errno {Marshal.GetLastPInvokeError()})");
        }

        var path = Encoding.ASCII.GetString(name[..name.IndexOf((byte)0)]);
        return new PseudoTerminal(new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0), path);
    }

    /// <summary>
    /// Waits until the screen shows <paramref name="text"/>; fails the test with the screen so far if
    /// <paramref name="child"/> exits first or nothing shows up within <paramref name="limit"/>.
    /// </summary>
    public async Task WaitForAsync(string text, System.Diagnostics.Process child, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        var exited = child.WaitForExitAsync(timeout.Token);
        try
        {
            while (!Screen.Contains(text, StringComparison.Ordinal))
            {
                var changed = _changed.WaitAsync(timeout.Token);
                if (await Task.WhenAny(changed, exited) == exited && !Screen.Contains(text, StringComparison.Ordinal))
                {
                    Assert.Fail($"mcpctl exited (code {child.ExitCode}) before showing '{text}'; screen: {Screen}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"'{text}' did not appear within {limit}; screen: {Screen}");
        }
    }

    /// <summary>Types <paramref name="keys"/> as if on the keyboard.</summary>
    public void Type(string keys)
    {
        _primary.Write(Encoding.UTF8.GetBytes(keys));
        _primary.Flush();
    }

    /// <summary>Call after the child exited: releases the secondary so the reader sees the end.</summary>
    public async Task CloseAsync()
    {
        _secondaryHold.Dispose();
        await _reader.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        _secondaryHold.Dispose();
        _primary.Dispose();
        _changed.Dispose();
    }

    private void ReadLoop()
    {
        var buffer = new byte[1024];
        try
        {
            int read;
            while ((read = _primary.Read(buffer)) > 0)
            {
                lock (_seen)
                {
                    _seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }

                _changed.Release();
            }
        }
        catch (IOException)
        {
            // EIO: every secondary descriptor is closed; the terminal session is over.
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int grantpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlockpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ptsname_r(int fd, Span<byte> buffer, nuint length);
}
