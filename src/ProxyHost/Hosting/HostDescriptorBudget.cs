using Microsoft.Extensions.Logging;
using ProxyHost.Management;
using Socks.Core;

namespace ProxyHost.Hosting;

/// <summary>
/// The descriptor budget of socks5d (<see cref="DescriptorBudget"/>): created once the host is built and before the
/// logs are opened, it counts what the runtime holds then, and sets aside the parts socks5d opens for itself before
/// the SOCKS server takes what is left for sessions (and adds its listener).
/// </summary>
/// <remarks>
/// <code>
/// limit = runtime + reserve + log files 4 + users file 2 + MCP (connections + 3) + SOCKS listener 2 + sessions × 2
/// </code>
/// <list type="bullet">
/// <item>Log files: the access log and the credentials log, and each one's new file while SIGHUP reopens it (the
/// new file is opened before the old one is closed).</item>
/// <item>Users file: a save writes a temporary file and syncs the directory (saves are one at a time).</item>
/// <item>MCP: one per admin connection, plus <see cref="McpManagementServer.DescriptorOverhead"/>; the connection
/// limit is lowered (with one warning) when it would take more than a quarter of the free descriptors.</item>
/// </list>
/// </remarks>
internal sealed class HostDescriptorBudget
{
    /// <summary>The name of the log files' part.</summary>
    public const string LogFilesPart = "log files";

    /// <summary>The name of the users file's part.</summary>
    public const string UsersFilePart = "users file";

    /// <summary>The name of the MCP part.</summary>
    public const string ManagementPart = "MCP";

    /// <summary>The part of the SOCKS listeners beyond the first (repeated -l).</summary>
    public const string MoreListenersPart = "more SOCKS listeners";

    private const int LogFileDescriptors = 4;
    private const int UsersFileDescriptors = 2;

    /// <summary>Counts the descriptors open now and sets socks5d's own parts aside.</summary>
    /// <param name="budget">A budget with no parts yet (<see cref="DescriptorBudget.ForCurrentProcess"/>).</param>
    /// <param name="managementConnections">The MCP connection limit wanted.</param>
    /// <param name="socksListeners">How many SOCKS listeners the server will open (repeated -l).</param>
    public HostDescriptorBudget(DescriptorBudget budget, int managementConnections, int socksListeners = 1)
    {
        Budget = budget;
        if (socksListeners > 1)
        {
            // The SOCKS server counts one listening socket for itself; every further -l is one more descriptor.
            budget.Reserve(MoreListenersPart, socksListeners - 1);
        }

        RequestedManagementConnections = managementConnections;
        budget.Reserve(LogFilesPart, LogFileDescriptors);
        budget.Reserve(UsersFilePart, UsersFileDescriptors);
        ManagementConnections = budget.ReserveUpTo(ManagementPart, managementConnections, McpManagementServer.DescriptorOverhead);
    }

    /// <summary>The budget, shared with the SOCKS server.</summary>
    public DescriptorBudget Budget { get; }

    /// <summary>The MCP connection limit asked for.</summary>
    public int RequestedManagementConnections { get; }

    /// <summary>The MCP connection limit the descriptors allow: <see cref="RequestedManagementConnections"/> or lower.</summary>
    public int ManagementConnections { get; }

    /// <summary>Says once, at start, that the MCP connection limit was lowered, if it was.</summary>
    /// <param name="logger">Where the warning goes.</param>
    public void WarnIfLowered(ILogger logger)
    {
        if (ManagementConnections < RequestedManagementConnections)
        {
            Log.ManagementLimitLowered(logger, RequestedManagementConnections, ManagementConnections, Budget.SoftLimit);
        }
    }
}
