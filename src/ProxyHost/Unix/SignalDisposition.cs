using System.Runtime.InteropServices;

namespace ProxyHost.Unix;

/// <summary>
/// A signal's disposition inherited from the parent. <c>nohup</c> (and shells starting background jobs) start a program
/// with SIGHUP ignored, and the runtime leaves a signal that was ignored at startup ignored: a
/// <see cref="PosixSignalRegistration"/> for it then never runs, so <c>kill -HUP</c> would not reopen the logs.
/// </summary>
internal static class SignalDisposition
{
    /// <summary>SIGHUP on Linux.</summary>
    public const int SIGHUP = 1;

    private static readonly nint SigDfl = 0;
    private static readonly nint SigIgn = 1;

    /// <summary>
    /// Gives <paramref name="signal"/> back its default disposition when it was inherited as ignored, so that a
    /// handler registered right after is installed. Call it just before the registration: until then the default
    /// action (for SIGHUP: end the process) applies for that short moment.
    /// </summary>
    /// <param name="signal">The signal number.</param>
    /// <returns>True when the signal was ignored and has been reset.</returns>
    public static bool ResetIfIgnored(int signal)
    {
        // Only read the current action (sigaction with no new one): struct sigaction starts with the handler on
        // every Linux ABI; 256 bytes hold the whole struct (152 bytes with glibc on x86-64 and arm64).
        var action = new byte[256];
        if (SigAction(signal, null, action) != 0 || MemoryMarshal.Read<nint>(action) != SigIgn)
        {
            return false;
        }

        Signal(signal, SigDfl);
        return true;
    }

    [DllImport("libc", EntryPoint = "sigaction")]
    private static extern int SigAction(int signum, byte[]? action, [Out] byte[] oldAction);

    [DllImport("libc", EntryPoint = "signal")]
    private static extern nint Signal(int signum, nint handler);
}
