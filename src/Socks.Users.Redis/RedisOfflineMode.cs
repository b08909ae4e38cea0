namespace Socks.Users.Redis;

/// <summary>What a node does with new logins while it cannot reach Redis (docs/fleet.md, "Failures").</summary>
public enum RedisOfflineMode
{
    /// <summary>Keep checking logins against the last snapshot read from Redis (the default): removals made meanwhile reach this node only when Redis is back.</summary>
    Serve,

    /// <summary>Refuse every new login until Redis is reachable again; sessions already open go on.</summary>
    Refuse,
}
