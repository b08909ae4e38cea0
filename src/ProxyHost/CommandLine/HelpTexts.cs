using Socks.Core;

namespace ProxyHost.CommandLine;

/// <summary>
/// The help texts of <see cref="CommandLineOptions"/> that state a default, built from the constant behind the
/// default so that the help can never disagree with what socks5d does.
/// </summary>
/// <remarks>
/// Public because CommandLineParser reads a <c>ResourceType</c>'s static properties by reflection and accepts only
/// visible types; an attribute argument itself must be a compile-time constant, which a number turned into text is not.
/// </remarks>
public static class HelpTexts
{
    /// <summary>Gets the help of -p.</summary>
    public static string Port => $"SOCKS port (default {HostSettings.DefaultPort}; 0 picks a free port).";

    /// <summary>Gets the help of -L.</summary>
    public static string ManagementAddress =>
        $"Management (MCP) address (default {HostSettings.DefaultManagementAddress}), or unix:PATH for a Unix socket (mode 0660).";

    /// <summary>Gets the help of -P.</summary>
    public static string ManagementPort => $"Management (MCP) port (default {HostSettings.DefaultManagementPort}); not with -L unix:PATH.";

    /// <summary>Gets the help of --handshake-timeout.</summary>
    public static string HandshakeTimeout =>
        $"Longest handshake, connect to request (default {Durations.Format(SocksServerOptions.DefaultHandshakeTimeout)}).";

    /// <summary>Gets the help of --connect-timeout.</summary>
    public static string ConnectTimeout => $"Longest dial to a destination (default {Durations.Format(SocksServerOptions.DefaultConnectTimeout)}).";

    /// <summary>Gets the help of --bind-timeout.</summary>
    public static string BindTimeout => $"Longest wait of a BIND for its peer (default {Durations.Format(SocksServerOptions.DefaultBindTimeout)}).";

    /// <summary>Gets the help of --idle-timeout.</summary>
    public static string IdleTimeout => $"Close a session idle this long; 0 never (default {Durations.Format(SocksServerOptions.DefaultIdleTimeout)}).";

    /// <summary>Gets the help of --udp-idle-timeout.</summary>
    public static string UdpIdleTimeout =>
        $"Close a UDP association with no datagram this long; 0 never (default {Durations.Format(SocksServerOptions.DefaultUdpIdleTimeout)}).";

    /// <summary>Gets the help of --drain-timeout.</summary>
    public static string DrainTimeout =>
        $"On SIGTERM/SIGINT, let sessions finish this long (default {Durations.Format(HostSettings.DefaultDrainTimeout)}).";

    /// <summary>Gets the help of --pop3-ports.</summary>
    public static string Pop3Ports => $"Comma-separated ports dissected as POP3 (default {Socks.Core.Dissectors.Pop3.Pop3DissectorFactory.DefaultPort}); the same as --dissect pop3=LIST.";

    /// <summary>Gets the help of --dissect.</summary>
    public static string Dissect => "Ports of one dissector (repeatable): PROTO is http, ftp, imap, pop3 or smtp; PORTS a comma-separated list, * to also detect pop3 or http on unwatched ports, or none (defaults "
        + string.Join("; ", Socks.Core.Dissectors.DissectorFactory.DefaultPorts.Select(p => $"{Socks.Core.Dissectors.DissectorFactory.Name(p.Key).ToLowerInvariant()}={string.Join(',', p.Value)}")) + ").";
}
