using System.Runtime.InteropServices;

namespace McpCli.Commands;

/// <summary>The uid this process runs as, which a local MCP server learns from the kernel and may refuse.</summary>
internal static class ProcessIdentity
{
    /// <summary>Gets the effective uid (<c>geteuid(2)</c>), or null where there is none (Windows).</summary>
    public static uint? EffectiveUid => OperatingSystem.IsWindows() ? null : GetEuid();

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();
}
