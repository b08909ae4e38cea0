using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using CommandLine;
using Socks.Core.Dissectors;

namespace ProxyHost.CommandLine;

/// <summary>
/// <c>--print-config</c>: every configuration key with the value socks5d would run with (defaults included, after
/// flags, environment and file were merged), as a JSON object that <c>--config</c> reads back. Passwords are hidden.
/// </summary>
internal static class EffectiveConfiguration
{
    /// <summary>What a password is shown as.</summary>
    public const string Hidden = "<hidden>";

    /// <summary>Writes the object, one key per line, keys in alphabetical order.</summary>
    /// <param name="options">The merged options.</param>
    /// <param name="settings">The settings they were checked into.</param>
    /// <param name="output">Where to write.</param>
    public static void Write(CommandLineOptions options, HostSettings settings, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            foreach (var name in ArgumentScanner.ConfigurableNames)
            {
                json.WritePropertyName(name);
                WriteValue(json, Effective(name, options, settings));
            }

            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Every key's effective value as the JSON text <see cref="Write"/> shows (passwords hidden), to compare two configurations.</summary>
    /// <param name="options">The merged options.</param>
    /// <param name="settings">The settings they were checked into.</param>
    /// <returns>Key to JSON text, for every configurable key.</returns>
    public static IReadOnlyDictionary<string, string> Values(CommandLineOptions options, HostSettings settings)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in ArgumentScanner.ConfigurableNames)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                WriteValue(json, Effective(name, options, settings));
            }

            values[name] = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }

        return values;
    }

    /// <summary>The effective value of one key: from the settings where they hold it, else as given.</summary>
    private static object? Effective(string name, CommandLineOptions options, HostSettings settings) => name switch
    {
        "listen" => settings.ListenAddresses.Count == 0 ? null : settings.ListenAddresses.Select(a => a.ToString()).ToArray(),
        "outbound-address" => settings.OutboundAddresses.Select(a => a.ToString()).ToArray(),
        "port" => settings.Port,
        "mgmt-address" => settings.ManagementEndPoint switch
        {
            IPEndPoint ip => ip.Address.ToString(),
            UnixDomainSocketEndPoint unix => ManagementOptions.UnixPrefix + unix,
            var other => other.ToString(),
        },
        "mgmt-port" => (settings.ManagementEndPoint as IPEndPoint)?.Port,
        "mcp-allow-uid" => settings.ManagementAllowsAnyClient ? "any"
            : settings.ManagementAllowedUids.Count == 0 ? null : string.Join(',', settings.ManagementAllowedUids),
        "user" => options.Users.Select(user => user[..Math.Max(0, user.IndexOf(':', StringComparison.Ordinal))] + ":" + Hidden).ToArray(),
        "allow-anonymous" => settings.AllowAnonymous,
        "allow-all-destinations" => settings.AllowAllDestinations,
        "no-dissector" => !settings.DissectorEnabled,
        "handshake-timeout" => Durations.Format(settings.HandshakeTimeout),
        "connect-timeout" => Durations.Format(settings.ConnectTimeout),
        "idle-timeout" => settings.IdleTimeout == Timeout.InfiniteTimeSpan ? "0" : Durations.Format(settings.IdleTimeout),
        "drain-timeout" => Durations.Format(settings.DrainTimeout),
        "max-connections" => settings.MaxConnections,
        "users-file" => settings.UsersFile,
        "max-users" => settings.MaxUsers,
        "access-log" => settings.AccessLogPath,
        "credentials-log" => settings.CredentialsLogPath,
        // --pop3-ports is the older spelling of --dissect pop3=LIST: the effective ports are all in "dissect".
        "pop3-ports" => null,
        "dissect" => settings.DissectPorts.Select(pair => DissectorFactory.Name(pair.Key).ToLowerInvariant() + "="
            + (pair.Value.Count == 0 ? "none" : string.Join(',', pair.Value))
            + (settings.DissectSniff.Contains(pair.Key) ? ",*" : "")).ToArray(),
        "log-level" => settings.LogLevel.ToString().ToLowerInvariant(),
        "log-format" => settings.JsonLog ? "json" : "text",
        "metrics-listen" => settings.MetricsListen?.ToString(),
        "otlp-endpoint" => settings.OtlpEndpoint?.ToString(),
        "otlp-interval" => Durations.Format(settings.OtlpInterval),
        "bind" => settings.AllowBind,
        "no-bind" => !settings.AllowBind,
        "bind-timeout" => Durations.Format(settings.BindTimeout),
        "udp" => settings.UdpAssociate,
        "no-udp" => !settings.UdpAssociate,
        "udp-idle-timeout" => settings.UdpIdleTimeout == Timeout.InfiniteTimeSpan ? "0" : Durations.Format(settings.UdpIdleTimeout),
        "relay" => settings.KernelRelay ? "splice" : "user",
        "rules" => settings.RulesFile,
        "redis" => settings.Redis,
        "redis-password-file" => settings.RedisPasswordFile,
        "redis-tls" => settings.RedisTls,
        "redis-prefix" => settings.Redis is null ? null : settings.RedisPrefix,
        "redis-offline" => settings.Redis is null ? null : settings.RedisOfflineRefuse ? "refuse" : "serve",
        "redis-lease-time" => settings.Redis is null ? null : Durations.Format(settings.RedisLeaseTime),
        "redis-stats-interval" => settings.Redis is null ? null : Durations.Format(settings.RedisStatsInterval),
        "redis-tls-ca" => settings.RedisTlsCa,
        _ => AsGiven(name, options),
    };

    /// <summary>The value bound to the option's property, for keys the settings do not spell out.</summary>
    private static object? AsGiven(string name, CommandLineOptions options)
    {
        var property = typeof(CommandLineOptions).GetProperties()
            .Single(p => p.GetCustomAttribute<OptionAttribute>()?.LongName == name);
        return property.GetValue(options) switch
        {
            string text => text,
            IEnumerable<string> list => list.ToArray(),
            var value => value,
        };
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case bool flag:
                json.WriteBooleanValue(flag);
                break;
            case int number:
                json.WriteNumberValue(number);
                break;
            case string[] list:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    json.WriteStringValue(item);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(value.ToString());
                break;
        }
    }
}
