using System.Security.Cryptography.X509Certificates;

namespace Socks.Users.Redis;

/// <summary>How a <see cref="RedisUserStore"/> reaches Redis and keeps its snapshot in step.</summary>
public sealed record RedisUserStoreOptions
{
    /// <summary>The prefix of the keys and channel when none is given.</summary>
    public const string DefaultPrefix = "socks5d:";

    /// <summary>The Redis server, <c>HOST:PORT</c> (an IPv6 address in brackets).</summary>
    public required string EndPoint { get; init; }

    /// <summary>The password (Redis AUTH), or null for none.</summary>
    public string? Password { get; init; }

    /// <summary>Whether to speak TLS to Redis.</summary>
    public bool Tls { get; init; }

    /// <summary>
    /// Prefixed to every key and to the channel (<c>{prefix}users</c>, <c>{prefix}version</c>, <c>{prefix}changes</c>),
    /// so several fleets can share one Redis.
    /// </summary>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>What happens to new logins while Redis is unreachable.</summary>
    public RedisOfflineMode Offline { get; init; } = RedisOfflineMode.Serve;

    /// <summary>
    /// How often the node compares its version with Redis's, besides listening on the channel (pub/sub drops
    /// messages while a connection is being re-established). Changes reach the node within this time at worst.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a fleet session lease lives in Redis without renewal (docs/fleet.md "Session limits"); each node renews
    /// its leases every third of it, so a node that dies or loses Redis gives its users' places back within this time.
    /// Every node of a fleet should use the same value. At least 300 ms.
    /// </summary>
    public TimeSpan LeaseTime { get; init; } = DefaultLeaseTime;

    /// <summary>The default <see cref="LeaseTime"/>: 15 seconds.</summary>
    public static TimeSpan DefaultLeaseTime => TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often the node adds the deltas of its per-user counters to the fleet's statistics in Redis and writes its open
    /// sessions there (docs/fleet.md "Statistics across the fleet"); a node's open sessions drop out of the fleet's count
    /// three intervals after its last flush. At least 100 ms; default 1 second.
    /// </summary>
    public TimeSpan StatisticsInterval { get; init; } = DefaultStatisticsInterval;

    /// <summary>The default <see cref="StatisticsInterval"/>: 1 second.</summary>
    public static TimeSpan DefaultStatisticsInterval => TimeSpan.FromSeconds(1);

    /// <summary>The smallest <see cref="StatisticsInterval"/>: 100 ms.</summary>
    public static TimeSpan MinStatisticsInterval => TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The certificate authorities that sign the Redis server's certificate, with <see cref="Tls"/> (socks5d's
    /// <c>--redis-tls-ca FILE</c>), or null to check it against the system's trusted roots. With them, the server's chain
    /// must end at one of these (the system's roots are not used), and the certificate must be valid now and name the
    /// host of <see cref="EndPoint"/>.
    /// </summary>
    public X509Certificate2Collection? TlsCertificateAuthorities { get; init; }

    /// <summary>How long one Redis command may take before the node counts Redis as unreachable.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(2);
}
