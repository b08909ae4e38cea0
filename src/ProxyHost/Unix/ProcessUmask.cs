using System.Runtime.InteropServices;

namespace ProxyHost.Unix;

/// <summary>Runs one short action under another file-creation mask (<c>umask(2)</c>), for files whose mode must never be wider than asked.</summary>
/// <remarks>
/// The mask is per process, not per thread: a file another thread creates meanwhile may lose permission bits it
/// would otherwise have had, never gain any. socks5d uses it once, at startup, around the <c>bind(2)</c> of the MCP
/// Unix socket (microseconds), before any admin client is served.
/// </remarks>
internal static class ProcessUmask
{
    private static readonly Lock Gate = new();

    /// <summary>Runs <paramref name="action"/> with the mask <paramref name="mask"/>, then restores the previous mask.</summary>
    /// <param name="mask">The permission bits to remove from files created meanwhile (e.g. <c>0117</c>).</param>
    /// <param name="action">The action (a bind).</param>
    public static void Run(UnixFileMode mask, Action action)
    {
        lock (Gate)
        {
            var previous = Umask((uint)mask);
            try
            {
                action();
            }
            finally
            {
                Umask(previous);
            }
        }
    }

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);
}
