using CommandLine;

namespace ProxyHost.CommandLine;

/// <summary>
/// The flags of <c>socks5d</c> as CommandLineParser binds them. Values are kept as text and checked by
/// <see cref="ArgumentParser"/>, which gives precise messages (the parser has no range checks).
/// </summary>
internal sealed class CommandLineOptions
{
    [Option('h', "help", HelpText = "Print this help to standard output and exit.")]
    public bool Help { get; set; }

    [Option('v', "version", HelpText = "Print the version and exit.")]
    public bool Version { get; set; }

    [Option('N', "no-dissector", HelpText = "Start with the POP3 credential dissector switched off.")]
    public bool NoDissector { get; set; }

    [Option('l', "listen", MetaValue = "ADDR", HelpText = "SOCKS address (default: all IPv4 and IPv6 interfaces).")]
    public string? ListenAddress { get; set; }

    [Option('p', "port", MetaValue = "PORT", HelpText = "SOCKS port (default 1080; 0 picks a free port).")]
    public string? Port { get; set; }

    [Option('L', "mgmt-address", MetaValue = "ADDR", HelpText = "Management (MCP) address (default 127.0.0.1).")]
    public string? ManagementAddress { get; set; }

    [Option('P', "mgmt-port", MetaValue = "PORT", HelpText = "Management (MCP) port (default 8080).")]
    public string? ManagementPort { get; set; }

    [Option('u', "user", MetaValue = "USER:PASS", HelpText = "Add a user (repeatable); the password is everything after the first colon.")]
    public IEnumerable<string> Users { get; set; } = [];

    [Option("allow-anonymous", HelpText = "Accept clients without authentication while no user exists.")]
    public bool AllowAnonymous { get; set; }

    [Option("handshake-timeout", MetaValue = "DURATION", HelpText = "Longest handshake, connect to request (default 10s).")]
    public string? HandshakeTimeout { get; set; }

    [Option("connect-timeout", MetaValue = "DURATION", HelpText = "Longest dial to a destination (default 10s).")]
    public string? ConnectTimeout { get; set; }

    [Option("idle-timeout", MetaValue = "DURATION", HelpText = "Close a session idle this long; 0 never (default 15m).")]
    public string? IdleTimeout { get; set; }

    [Option("drain-timeout", MetaValue = "DURATION", HelpText = "On SIGTERM/SIGINT, let sessions finish this long (default 30s).")]
    public string? DrainTimeout { get; set; }

    [Option("max-connections", MetaValue = "N", HelpText = "Most client connections at once; 0 derives it from the descriptor limit (default).")]
    public string? MaxConnections { get; set; }

    [Option("users-file", MetaValue = "PATH", HelpText = "Load users from PATH at start and save every MCP user change to it (created 0600 when missing).")]
    public string? UsersFile { get; set; }

    [Option("max-users", MetaValue = "N", HelpText = "Most users at once, 1..255, -u and file users included (default 10).")]
    public string? MaxUsers { get; set; }

    [Option("access-log", MetaValue = "PATH", HelpText = "Append one line per SOCKS session to PATH; - for standard output (default).")]
    public string? AccessLog { get; set; }

    [Option("credentials-log", MetaValue = "PATH", HelpText = "Append one line per POP3 credential seen to PATH; - for standard output (default).")]
    public string? CredentialsLog { get; set; }

    [Option("pop3-ports", MetaValue = "LIST", HelpText = "Comma-separated ports always dissected as POP3 (default 110).")]
    public string? Pop3Ports { get; set; }

    [Value(0, Hidden = true)]
    public IEnumerable<string> Operands { get; set; } = [];
}
