using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace ProxyHost.Unix;

/// <summary>
/// The first thing socks5d does: refuse to start, in one line, under a descriptor limit it cannot live with. Below it
/// the runtime itself runs out of descriptors while the host loads (an unhandled EMFILE and exit 134, or an assembly
/// that cannot be loaded and exit 70), long before the connection budget (<c>Socks.Core.Server.DescriptorLimit</c>)
/// could say anything.
/// </summary>
/// <remarks>
/// Runs before anything else is loaded or opened: <c>getrlimit(2)</c> needs no descriptor, and the line is written
/// with <c>write(2)</c> to descriptor 2, because even initializing <see cref="Console"/> can fail with EMFILE here.
/// </remarks>
internal static class DescriptorFloor
{
    /// <summary>
    /// The least soft RLIMIT_NOFILE socks5d starts with: about 120 descriptors for the runtime and the host before
    /// the first client, the budget's reserve of 64, and room for a few dozen sessions.
    /// </summary>
    public const ulong Minimum = 256;

    // RLIMIT_NOFILE on every Linux ABI .NET runs on.
    private const int RlimitNofile = 7;
    private const int StandardError = 2;

    /// <summary>Checks the soft descriptor limit; below <see cref="Minimum"/> writes one line to standard error.</summary>
    /// <returns>The exit status to end with (<see cref="ExitCodes.DescriptorLimit"/>), or null to go on.</returns>
    public static int? Check()
    {
        if (OperatingSystem.IsWindows() || GetRLimit(RlimitNofile, out var limit) != 0 || limit.Current >= Minimum)
        {
            return null;
        }

        var line = string.Create(CultureInfo.InvariantCulture,
            $"socks5d: the descriptor limit (ulimit -n) is {limit.Current}, socks5d needs at least {Minimum}: raise it (ulimit -n, or LimitNOFILE= under systemd)\n");
        var bytes = Encoding.UTF8.GetBytes(line);
        _ = Write(StandardError, bytes, (nuint)bytes.Length);
        return ExitCodes.DescriptorLimit;
    }

    [DllImport("libc", EntryPoint = "getrlimit")]
    private static extern int GetRLimit(int resource, out RLimit limit);

    [DllImport("libc", EntryPoint = "write")]
    private static extern nint Write(int descriptor, byte[] buffer, nuint count);

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
