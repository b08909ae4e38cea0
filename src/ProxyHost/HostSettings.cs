using System.Net;
using Mcp.Protocol;
using Socks.Core;
using Socks.Core.Dissectors;

namespace ProxyHost;

/// <summary>Everything <c>socks5d</c> was asked to do, validated from its command line.</summary>
internal sealed record HostSettings
{
    /// <summary>The SOCKS port when none is given.</summary>
    public const int DefaultPort = 1080;

    /// <summary>The management port when none is given (memo §2).</summary>
    public const int DefaultManagementPort = McpConstants.DefaultPort;

    /// <summary>The management address when none is given: loopback only (docs/mcp-protocol.md §9).</summary>
    public static readonly IPAddress DefaultManagementAddress = IPAddress.Parse(McpConstants.DefaultHost);

    /// <summary>How long open sessions may finish after SIGTERM/SIGINT when --drain-timeout is not given.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The most users when --max-users is not given.</summary>
    public const int DefaultMaxUsers = 10;

    /// <summary>The default of --otlp-interval.</summary>
    public static readonly TimeSpan DefaultOtlpInterval = TimeSpan.FromSeconds(60);

    /// <summary>The command line socks5d was started with (the SIGHUP configuration reload merges it again: flags still win).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Every configuration key with its effective value as <c>--print-config</c> shows it (JSON text, passwords hidden).</summary>
    public IReadOnlyDictionary<string, string> EffectiveValues { get; init; } = new Dictionary<string, string>();

    /// <summary>The SOCKS addresses given with -l, in order, or empty for every interface (IPv6 dual-mode, IPv4 fallback).</summary>
    public IReadOnlyList<IPAddress> ListenAddresses { get; init; } = [];

    /// <summary>-b/--outbound-address: the source addresses of outbound connections, at most one per family.</summary>
    public IReadOnlyList<IPAddress> OutboundAddresses { get; init; } = [];

    /// <summary>The SOCKS port (0 picks a free one).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>
    /// The management (MCP) endpoint from -L/-P: an <see cref="IPEndPoint"/>, or a <see cref="System.Net.Sockets.UnixDomainSocketEndPoint"/>
    /// with an absolute path for <c>-L unix:PATH</c>.
    /// </summary>
    public EndPoint ManagementEndPoint { get; init; } = new IPEndPoint(DefaultManagementAddress, DefaultManagementPort);

    /// <summary>--mcp-allow-uid: the uids MCP serves besides root and socks5d's own (user names resolved at startup), ascending.</summary>
    public IReadOnlyList<uint> ManagementAllowedUids { get; init; } = [];

    /// <summary>--mcp-allow-uid any: MCP serves every client, whatever its uid, and clients from other hosts.</summary>
    public bool ManagementAllowsAnyClient { get; init; }

    /// <summary>Users from -u, in order: UTF-8 name and password bytes.</summary>
    public IReadOnlyList<(byte[] Username, byte[] Password)> Users { get; init; } = [];

    /// <summary>--rules: the access rules file, or null for no rules (docs/rules.md).</summary>
    public string? RulesFile { get; init; }

    /// <summary>--allow-anonymous.</summary>
    public bool AllowAnonymous { get; init; }

    /// <summary>--allow-all-destinations: turns off the default refusal of link-local, metadata, unspecified, multicast and broadcast destinations.</summary>
    public bool AllowAllDestinations { get; init; }

    /// <summary>False when -N was given: the dissectors start switched off.</summary>
    public bool DissectorEnabled { get; init; } = true;

    /// <summary>--handshake-timeout.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = SocksServerOptions.DefaultHandshakeTimeout;

    /// <summary>--connect-timeout.</summary>
    public TimeSpan ConnectTimeout { get; init; } = SocksServerOptions.DefaultConnectTimeout;

    /// <summary>--idle-timeout (<see cref="Timeout.InfiniteTimeSpan"/> for never).</summary>
    public TimeSpan IdleTimeout { get; init; } = SocksServerOptions.DefaultIdleTimeout;

    /// <summary>False when --no-udp was given: UDP ASSOCIATE is answered REP X'07'.</summary>
    public bool UdpAssociate { get; init; } = true;

    /// <summary>The relay where --relay is not given: the kernel's where it can splice.</summary>
    public static bool DefaultKernelRelay => SocksServerOptions.DefaultKernelRelay;

    /// <summary>--relay splice (true) or user (false).</summary>
    public bool KernelRelay { get; init; } = DefaultKernelRelay;

    /// <summary>--udp-idle-timeout (<see cref="Timeout.InfiniteTimeSpan"/> for never).</summary>
    public TimeSpan UdpIdleTimeout { get; init; } = SocksServerOptions.DefaultUdpIdleTimeout;

    /// <summary>--drain-timeout.</summary>
    public TimeSpan DrainTimeout { get; init; } = DefaultDrainTimeout;

    /// <summary>False with --no-bind: BIND is answered REP X'07'.</summary>
    public bool AllowBind { get; init; } = true;

    /// <summary>--bind-timeout.</summary>
    public TimeSpan BindTimeout { get; init; } = SocksServerOptions.DefaultBindTimeout;

    /// <summary>--max-connections (0 derives it from the descriptor limit).</summary>
    public int MaxConnections { get; init; }

    /// <summary>--users-file: where users are loaded from at start and every MCP change is saved; null for none.</summary>
    public string? UsersFile { get; init; }

    /// <summary>--redis: the Redis HOST:PORT that holds the fleet's users (docs/fleet.md), or null for none.</summary>
    public string? Redis { get; init; }

    /// <summary>--redis-password-file: the file whose first line is the Redis password, or null for none.</summary>
    public string? RedisPasswordFile { get; init; }

    /// <summary>--redis-tls: TLS to Redis.</summary>
    public bool RedisTls { get; init; }

    /// <summary>--redis-prefix: the prefix of the fleet's keys.</summary>
    public string RedisPrefix { get; init; } = Socks.Users.Redis.RedisUserStoreOptions.DefaultPrefix;

    /// <summary>--redis-offline refuse: refuse new logins while Redis is unreachable (default: serve from the snapshot).</summary>
    public bool RedisOfflineRefuse { get; init; }

    /// <summary>--redis-lease-time: the lifetime of a fleet session lease in Redis (docs/fleet.md "Session limits").</summary>
    public TimeSpan RedisLeaseTime { get; init; } = Socks.Users.Redis.RedisUserStoreOptions.DefaultLeaseTime;

    /// <summary>--redis-stats-interval: how often the node adds its per-user counts to the fleet's (docs/fleet.md "Statistics across the fleet").</summary>
    public TimeSpan RedisStatsInterval { get; init; } = Socks.Users.Redis.RedisUserStoreOptions.DefaultStatisticsInterval;

    /// <summary>--redis-tls-ca: the PEM file of the authorities trusted for Redis's TLS certificate, or null for the system's roots.</summary>
    public string? RedisTlsCa { get; init; }

    /// <summary>--max-users: the user limit, 1..255, counting -u, file and MCP users alike.</summary>
    public int MaxUsers { get; init; } = DefaultMaxUsers;

    /// <summary>--access-log: a file path, or <c>-</c> (the default) for standard output.</summary>
    public string AccessLogPath { get; init; } = "-";

    /// <summary>--credentials-log: a file path, or <c>-</c> for standard output; default <see cref="DefaultCredentialsLogPath"/>.</summary>
    public string CredentialsLogPath { get; init; } = DefaultCredentialsLogPath();

    /// <summary>--dissect (and --pop3-ports): the ports each dissector watches (default <see cref="DissectorFactory.DefaultPorts"/>).</summary>
    public IReadOnlyDictionary<DissectorProtocol, IReadOnlyList<int>> DissectPorts { get; init; } = DissectorFactory.DefaultPorts;

    /// <summary>--dissect PROTO=*: the protocols also detected by their first bytes on ports no dissector watches (default none).</summary>
    public IReadOnlyList<DissectorProtocol> DissectSniff { get; init; } = [];

    /// <summary>--log-level: the least severe diagnostic message written.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>--log-format json: one JSON object per diagnostic message instead of a text line.</summary>
    public bool JsonLog { get; init; }

    /// <summary>Gets the Prometheus endpoint (--metrics-listen), or null for none.</summary>
    public IPEndPoint? MetricsListen { get; init; }

    /// <summary>Gets the OTLP/HTTP metrics endpoint (--otlp-endpoint), or null for none.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>Gets how often metrics are pushed over OTLP (--otlp-interval).</summary>
    public TimeSpan OtlpInterval { get; init; } = DefaultOtlpInterval;

    /// <summary>
    /// Where captured credentials go unless --credentials-log says otherwise: never standard output (under systemd that
    /// is the journal, readable by the adm group), but <c>credentials.log</c> in the state directory, systemd's
    /// <c>$STATE_DIRECTORY</c> (its first entry) when set, else the working directory.
    /// </summary>
    /// <returns>The full path.</returns>
    public static string DefaultCredentialsLogPath()
    {
        var state = Environment.GetEnvironmentVariable("STATE_DIRECTORY")?.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return Path.GetFullPath(Path.Combine(string.IsNullOrEmpty(state) ? Directory.GetCurrentDirectory() : state, "credentials.log"));
    }
}
