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

    [Option('N', "no-dissector", HelpText = "Start with the credential dissectors (HTTP, FTP, IMAP, POP3, SMTP) switched off.")]
    public bool NoDissector { get; set; }

    [Option('l', "listen", MetaValue = "ADDR", HelpText = "SOCKS address (repeatable, IPv4 or IPv6, each on -p; default: all IPv4 and IPv6 interfaces).")]
    public IEnumerable<string> ListenAddresses { get; set; } = [];

    [Option('b', "outbound-address", MetaValue = "ADDR", HelpText = "Source address of outbound connections (repeatable: one IPv4 and one IPv6); a destination of the other family is dialed unbound.")]
    public IEnumerable<string> OutboundAddresses { get; set; } = [];

    [Option('p', "port", MetaValue = "PORT", HelpText = nameof(HelpTexts.Port), ResourceType = typeof(HelpTexts))]
    public string? Port { get; set; }

    [Option('L', "mgmt-address", MetaValue = "ADDR", HelpText = nameof(HelpTexts.ManagementAddress), ResourceType = typeof(HelpTexts))]
    public string? ManagementAddress { get; set; }

    [Option('P', "mgmt-port", MetaValue = "PORT", HelpText = nameof(HelpTexts.ManagementPort), ResourceType = typeof(HelpTexts))]
    public string? ManagementPort { get; set; }

    [Option("mcp-allow-uid", MetaValue = "LIST", HelpText = "Also serve MCP to these users: comma-separated uids or user names, or any (default: root and socks5d's own uid only).")]
    public string? ManagementAllowUid { get; set; }

    [Option('u', "user", MetaValue = "USER:PASS", HelpText = "Add a user (repeatable); the password is everything after the first colon.")]
    public IEnumerable<string> Users { get; set; } = [];

    [Option("allow-anonymous", HelpText = "Accept clients without authentication while no user exists.")]
    public bool AllowAnonymous { get; set; }

    [Option("allow-all-destinations", HelpText = "Also connect to link-local, cloud metadata, unspecified, multicast and broadcast addresses (refused by default).")]
    public bool AllowAllDestinations { get; set; }

    [Option("handshake-timeout", MetaValue = "DURATION", HelpText = nameof(HelpTexts.HandshakeTimeout), ResourceType = typeof(HelpTexts))]
    public string? HandshakeTimeout { get; set; }

    [Option("connect-timeout", MetaValue = "DURATION", HelpText = nameof(HelpTexts.ConnectTimeout), ResourceType = typeof(HelpTexts))]
    public string? ConnectTimeout { get; set; }

    [Option("idle-timeout", MetaValue = "DURATION", HelpText = nameof(HelpTexts.IdleTimeout), ResourceType = typeof(HelpTexts))]
    public string? IdleTimeout { get; set; }

    [Option("udp", HelpText = "Serve UDP ASSOCIATE (the default).")]
    public bool Udp { get; set; }

    [Option("no-udp", HelpText = "Answer UDP ASSOCIATE with REP 07 (command not supported).")]
    public bool NoUdp { get; set; }

    [Option("udp-idle-timeout", MetaValue = "DURATION", HelpText = nameof(HelpTexts.UdpIdleTimeout), ResourceType = typeof(HelpTexts))]
    public string? UdpIdleTimeout { get; set; }

    [Option("relay", MetaValue = "KIND", HelpText = "How sessions nobody watches are relayed: splice (in the kernel, Linux; the default there) or user (through a buffer in the process).")]
    public string? Relay { get; set; }

    [Option("drain-timeout", MetaValue = "DURATION", HelpText = nameof(HelpTexts.DrainTimeout), ResourceType = typeof(HelpTexts))]
    public string? DrainTimeout { get; set; }

    [Option("bind", HelpText = "Serve BIND (the default).")]
    public bool Bind { get; set; }

    [Option("no-bind", HelpText = "Answer BIND with REP 07 (command not supported).")]
    public bool NoBind { get; set; }

    [Option("bind-timeout", MetaValue = "DURATION", HelpText = nameof(HelpTexts.BindTimeout), ResourceType = typeof(HelpTexts))]
    public string? BindTimeout { get; set; }

    [Option("max-connections", MetaValue = "N", HelpText = "Most client connections at once; 0 derives it from the descriptor limit (default).")]
    public string? MaxConnections { get; set; }

    [Option("rules", MetaValue = "FILE", HelpText = "Access rules: allow/deny by client, user, command, destination and port, first match wins, no match denies (docs/rules.md); re-read on SIGHUP.")]
    public string? Rules { get; set; }

    [Option("users-file", MetaValue = "PATH", HelpText = "Load users from PATH at start and save every MCP user change to it (created 0600 when missing).")]
    public string? UsersFile { get; set; }

    [Option("redis", MetaValue = "HOST:PORT", HelpText = "Keep the users in Redis at HOST:PORT, shared by a fleet of socks5d (docs/fleet.md), instead of a users file.")]
    public string? Redis { get; set; }

    [Option("redis-password-file", MetaValue = "FILE", HelpText = "Read the Redis password (AUTH) from FILE (its first line).")]
    public string? RedisPasswordFile { get; set; }

    [Option("redis-tls", HelpText = "Speak TLS to Redis.")]
    public bool RedisTls { get; set; }

    [Option("redis-prefix", MetaValue = "PREFIX", HelpText = "Prefix of this fleet's Redis keys, so several fleets share one Redis (default socks5d:).")]
    public string? RedisPrefix { get; set; }

    [Option("redis-offline", MetaValue = "MODE", HelpText = "New logins while Redis is unreachable: serve (from the last snapshot, the default) or refuse.")]
    public string? RedisOffline { get; set; }

    [Option("redis-lease-time", MetaValue = "DURATION", HelpText = "Lifetime of a fleet session lease in Redis, renewed every third of it; a dead node's sessions are released after it (default 15s).")]
    public string? RedisLeaseTime { get; set; }

    [Option("redis-stats-interval", MetaValue = "DURATION", HelpText = "How often this node adds its per-user counts to the fleet's statistics in Redis (default 1s, at least 100ms); its open sessions leave the fleet's count 3 intervals after its last flush.")]
    public string? RedisStatsInterval { get; set; }

    [Option("redis-tls-ca", MetaValue = "FILE", HelpText = "With --redis-tls: trust only the certificate authorities in the PEM FILE for Redis's certificate (instead of the system's roots).")]
    public string? RedisTlsCa { get; set; }

    [Option("max-users", MetaValue = "N", HelpText = "Most users at once, 1..255, -u and file users included (default 10).")]
    public string? MaxUsers { get; set; }

    [Option("access-log", MetaValue = "PATH", HelpText = "Append one line per SOCKS session to PATH; - for standard output (default).")]
    public string? AccessLog { get; set; }

    [Option("credentials-log", MetaValue = "PATH", HelpText = "Append one line per credential the dissectors see to PATH (default credentials.log in $STATE_DIRECTORY or the working directory, mode 0600); - for standard output.")]
    public string? CredentialsLog { get; set; }

    [Option("log-level", MetaValue = "LEVEL", HelpText = "Diagnostic log: least severe level written (trace, debug, information, warning, error, critical; default information).")]
    public string? LogLevel { get; set; }

    [Option("log-format", MetaValue = "FORMAT", HelpText = "Diagnostic log format on standard error: text (default) or json (one object per line).")]
    public string? LogFormat { get; set; }

    [Option("pop3-ports", MetaValue = "LIST", HelpText = nameof(HelpTexts.Pop3Ports), ResourceType = typeof(HelpTexts))]
    public string? Pop3Ports { get; set; }

    [Option("config", MetaValue = "FILE", HelpText = "Read settings from FILE (JSON; every long option is a key, e.g. \"max-connections\": 500). Flags win over SOCKS5D_* environment variables, which win over the file.")]
    public string? Config { get; set; }

    [Option("print-config", HelpText = "Print the effective configuration as JSON (passwords hidden) and exit.")]
    public bool PrintConfig { get; set; }

    [Option("users-from", MetaValue = "FILE", HelpText = "Add the users in FILE, one user:pass per line (like -u, but not visible in ps); # starts a comment.")]
    public string? UsersFrom { get; set; }

    [Option("metrics-listen", MetaValue = "ADDR:PORT", HelpText = "Serve the metrics in Prometheus text format at http://ADDR:PORT/metrics (port 0 picks a free port; [::1]:PORT for IPv6).")]
    public string? MetricsListen { get; set; }

    [Option("otlp-endpoint", MetaValue = "URL", HelpText = "Push the metrics over OTLP/HTTP (protobuf) to URL, e.g. http://127.0.0.1:4318/v1/metrics.")]
    public string? OtlpEndpoint { get; set; }

    [Option("otlp-interval", MetaValue = "DURATION", HelpText = "How often to push over OTLP (default 60s); a last push is made at exit.")]
    public string? OtlpInterval { get; set; }

    [Option("dissect", MetaValue = "PROTO=PORTS", HelpText = nameof(HelpTexts.Dissect), ResourceType = typeof(HelpTexts))]
    public IEnumerable<string> Dissect { get; set; } = [];

    [Value(0, Hidden = true)]
    public IEnumerable<string> Operands { get; set; } = [];
}
