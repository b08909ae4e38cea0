using System.Runtime.InteropServices;

namespace ProxyHost.Unix;

/// <summary>
/// Who this process runs as, and user names resolved to uids the way <c>id(1)</c> and <c>chown(1)</c> do: through the
/// C library (<c>getpwnam_r</c>), so <c>/etc/passwd</c> and any NSS source (LDAP, systemd-userdb) are consulted.
/// </summary>
internal static class UnixAccounts
{
    /// <summary>The uid no account has: <c>(uid_t)-1</c>, which <c>chown(2)</c> reads as "leave unchanged".</summary>
    public const uint InvalidUid = uint.MaxValue;

    private const int ERANGE = 34;

    /// <summary>Gets the effective uid of this process (<c>geteuid(2)</c>).</summary>
    public static uint EffectiveUid => GetEuid();

    /// <summary>Looks a user name up in the account database.</summary>
    /// <param name="name">The name (not a number).</param>
    /// <param name="uid">The account's uid when found.</param>
    /// <param name="problem">Null when the name was looked up (found or not), else why the lookup itself failed.</param>
    /// <returns>True when an account of that name exists.</returns>
    public static bool TryGetUid(string name, out uint uid, out string? problem)
    {
        uid = InvalidUid;
        problem = null;
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        // getpwnam_r writes the strings of the entry into the caller's buffer; 16 KiB is glibc's usual
        // sysconf(_SC_GETPW_R_SIZE_MAX) hint times 16, and ERANGE asks for more.
        for (var size = 16 * 1024; size <= 1024 * 1024; size *= 4)
        {
            var buffer = new byte[size];
            var error = GetPwNamR(name, out var entry, buffer, (nuint)buffer.Length, out var result);
            if (error == ERANGE)
            {
                continue;
            }

            if (error != 0)
            {
                problem = $"the account database could not be read (error {error})";
                return false;
            }

            if (result == IntPtr.Zero)
            {
                return false;
            }

            uid = entry.Uid;
            return true;
        }

        problem = "the account entry is larger than 1 MiB";
        return false;
    }

    /// <summary>struct passwd of the C library: the same sequence on every Linux ABI (pointers, then two 32-bit ids).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public IntPtr Name;
        public IntPtr Password;
        public uint Uid;
        public uint Gid;
        public IntPtr Gecos;
        public IntPtr Directory;
        public IntPtr Shell;
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();

    [DllImport("libc", EntryPoint = "getpwnam_r")]
    private static extern int GetPwNamR(
        [MarshalAs(UnmanagedType.LPUTF8Str)] string name, out Passwd entry, byte[] buffer, nuint length, out IntPtr result);
}
