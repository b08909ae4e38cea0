using System.Globalization;

namespace ProxyHost.CommandLine;

/// <summary>Checks --redis and its companions into <see cref="HostSettings"/>; Redis itself is reached at startup (docs/fleet.md).</summary>
internal static class RedisOptions
{
    /// <summary>Validates the Redis options and adds them to <paramref name="settings"/>.</summary>
    /// <param name="options">The bound flags.</param>
    /// <param name="settings">The settings so far; replaced by a copy with the Redis options.</param>
    /// <returns>Null when valid, or the one-line error.</returns>
    public static string? Apply(CommandLineOptions options, ref HostSettings settings)
    {
        if (options.Redis is null)
        {
            var orphan = options.RedisPasswordFile is not null ? "--redis-password-file"
                : options.RedisTls ? "--redis-tls"
                : options.RedisPrefix is not null ? "--redis-prefix"
                : options.RedisOffline is not null ? "--redis-offline"
                : options.RedisLeaseTime is not null ? "--redis-lease-time"
                : options.RedisStatsInterval is not null ? "--redis-stats-interval"
                : options.RedisTlsCa is not null ? "--redis-tls-ca"
                : null;
            return orphan is null ? null : $"{orphan} needs --redis HOST:PORT";
        }

        if (!IsHostPort(options.Redis))
        {
            return $"invalid value '{options.Redis}' for --redis: expected HOST:PORT (an IPv6 address in brackets) with a port 1..65535";
        }

        if (options.UsersFile is not null)
        {
            return "--redis and --users-file are two places for the users: give one";
        }

        if (options.RedisPasswordFile is { } path && (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal)))
        {
            return "invalid value for --redis-password-file: expected a file path";
        }

        if (options.RedisPrefix is { } prefix && (prefix.Length is 0 or > 200 || prefix.Any(static c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            return $"invalid value '{prefix}' for --redis-prefix: expected 1..200 characters without spaces or control characters";
        }

        if (options.RedisOffline is { } offline && offline is not ("serve" or "refuse"))
        {
            return $"invalid value '{offline}' for --redis-offline: expected serve or refuse";
        }

        if (!ArgumentParser.TryDuration(options.RedisLeaseTime, "--redis-lease-time", Socks.Users.Redis.RedisUserStoreOptions.DefaultLeaseTime, allowZero: false, out var leaseTime, out var leaseError))
        {
            return leaseError;
        }

        if (leaseTime < TimeSpan.FromMilliseconds(300))
        {
            return $"invalid duration '{options.RedisLeaseTime}' for --redis-lease-time: expected at least 300ms";
        }

        if (!ArgumentParser.TryDuration(options.RedisStatsInterval, "--redis-stats-interval", Socks.Users.Redis.RedisUserStoreOptions.DefaultStatisticsInterval, allowZero: false, out var statsInterval, out var statsError))
        {
            return statsError;
        }

        if (statsInterval < Socks.Users.Redis.RedisUserStoreOptions.MinStatisticsInterval)
        {
            return $"invalid duration '{options.RedisStatsInterval}' for --redis-stats-interval: expected at least 100ms";
        }

        if (options.RedisTlsCa is { } ca)
        {
            if (!options.RedisTls)
            {
                return "--redis-tls-ca needs --redis-tls";
            }

            if (ca.Length == 0 || ca.Contains('\0', StringComparison.Ordinal))
            {
                return "invalid value for --redis-tls-ca: expected a file path";
            }
        }

        settings = settings with
        {
            Redis = options.Redis,
            RedisPasswordFile = options.RedisPasswordFile,
            RedisTls = options.RedisTls,
            RedisPrefix = options.RedisPrefix ?? Socks.Users.Redis.RedisUserStoreOptions.DefaultPrefix,
            RedisOfflineRefuse = options.RedisOffline == "refuse",
            RedisLeaseTime = leaseTime,
            RedisStatsInterval = statsInterval,
            RedisTlsCa = options.RedisTlsCa,
        };
        return null;
    }

    private static bool IsHostPort(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('['))
        {
            return host.EndsWith(']') && System.Net.IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        return !host.Contains(':', StringComparison.Ordinal) && Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }
}
