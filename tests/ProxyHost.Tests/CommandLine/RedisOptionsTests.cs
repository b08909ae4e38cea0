using System.Collections;
using System.Text.Json;
using ProxyHost.CommandLine;

namespace ProxyHost.Tests.CommandLine;

/// <summary>--redis and its companions as flags, SOCKS5D_ variables and --config keys, checked, and in --print-config and --help (docs/fleet.md).</summary>
public sealed class RedisOptionsTests
{
    [Test]
    public void Parse_NoRedis_HasNone() => Parse([]).Settings!.Redis.Should().BeNull();

    [Test]
    public void Parse_AllOptions_AreRead()
    {
        var settings = Parse(["--redis", "redis.example:6380", "--redis-password-file", "/etc/socks5d/redis.pw", "--redis-tls",
            "--redis-prefix", "eu1:", "--redis-offline", "refuse"]).Settings!;

        settings.Redis.Should().Be("redis.example:6380");
        settings.RedisPasswordFile.Should().Be("/etc/socks5d/redis.pw");
        settings.RedisTls.Should().BeTrue();
        settings.RedisPrefix.Should().Be("eu1:");
        settings.RedisOfflineRefuse.Should().BeTrue();
    }

    [Test]
    public void Parse_StatsIntervalAndTlsCa_AreRead_AndTheLeaseTimeTakesItsValueAfterEquals()
    {
        var settings = Parse(["--redis", "h:6379", "--redis-stats-interval", "250ms", "--redis-tls", "--redis-tls-ca", "/etc/socks5d/redis-ca.pem",
            "--redis-lease-time=3s"]).Settings!;

        settings.RedisStatsInterval.Should().Be(TimeSpan.FromMilliseconds(250));
        settings.RedisTlsCa.Should().Be("/etc/socks5d/redis-ca.pem");
        settings.RedisLeaseTime.Should().Be(TimeSpan.FromSeconds(3));
        Parse(["--redis", "h:6379"]).Settings!.RedisStatsInterval.Should().Be(TimeSpan.FromSeconds(1), "the default");
    }

    [Test]
    public void Parse_StatsIntervalAndLeaseTime_AsConfigKeys()
    {
        var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"redis-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "redis": "10.0.0.5:6379", "redis-stats-interval": "2s", "redis-lease-time": "30s" }""");
        try
        {
            var settings = Parse(["--config", file]).Settings!;
            settings.RedisStatsInterval.Should().Be(TimeSpan.FromSeconds(2));
            settings.RedisLeaseTime.Should().Be(TimeSpan.FromSeconds(30));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Parse_Defaults_PrefixSocks5d_AndServe()
    {
        var settings = Parse(["--redis", "[::1]:6379"]).Settings!;

        settings.RedisPrefix.Should().Be("socks5d:");
        settings.RedisOfflineRefuse.Should().BeFalse();
        settings.RedisTls.Should().BeFalse();
    }

    [Test]
    public void Parse_EnvironmentVariables_AreRead()
    {
        var settings = Parse([], new Hashtable { ["SOCKS5D_REDIS"] = "127.0.0.1:6379", ["SOCKS5D_REDIS_TLS"] = "true", ["SOCKS5D_REDIS_OFFLINE"] = "refuse" }).Settings!;

        settings.Redis.Should().Be("127.0.0.1:6379");
        settings.RedisTls.Should().BeTrue();
        settings.RedisOfflineRefuse.Should().BeTrue();
    }

    [Test]
    public void Parse_ConfigKeys_AreRead()
    {
        var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"redis-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "redis": "10.0.0.5:6379", "redis-prefix": "fleet2:" }""");
        try
        {
            var settings = Parse(["--config", file]).Settings!;
            settings.Redis.Should().Be("10.0.0.5:6379");
            settings.RedisPrefix.Should().Be("fleet2:");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestCase(new[] { "--redis", "localhost" }, "invalid value 'localhost' for --redis: expected HOST:PORT")]
    [TestCase(new[] { "--redis", "localhost:0" }, "invalid value 'localhost:0' for --redis")]
    [TestCase(new[] { "--redis", "::1:6379" }, "invalid value '::1:6379' for --redis")]
    [TestCase(new[] { "--redis", "h:6379", "--redis-offline", "maybe" }, "invalid value 'maybe' for --redis-offline: expected serve or refuse")]
    [TestCase(new[] { "--redis", "h:6379", "--redis-prefix", "a b" }, "invalid value 'a b' for --redis-prefix")]
    [TestCase(new[] { "--redis", "h:6379", "--users-file", "/var/lib/socks5d/users" }, "--redis and --users-file are two places for the users: give one")]
    [TestCase(new[] { "--redis-tls" }, "--redis-tls needs --redis HOST:PORT")]
    [TestCase(new[] { "--redis-prefix", "x:" }, "--redis-prefix needs --redis HOST:PORT")]
    [TestCase(new[] { "--redis-stats-interval", "1s" }, "--redis-stats-interval needs --redis HOST:PORT")]
    [TestCase(new[] { "--redis", "h:6379", "--redis-stats-interval", "50ms" }, "invalid duration '50ms' for --redis-stats-interval: expected at least 100ms")]
    [TestCase(new[] { "--redis", "h:6379", "--redis-stats-interval", "soon" }, "--redis-stats-interval")]
    [TestCase(new[] { "--redis", "h:6379", "--redis-tls-ca", "/etc/ca.pem" }, "--redis-tls-ca needs --redis-tls")]
    public void Parse_BadInput_IsOneLineUsageError(string[] args, string message)
    {
        var stderr = new StringWriter();

        var outcome = ArgumentParser.Parse(args, new Hashtable(), new StringWriter(), stderr);

        outcome.ExitCode.Should().Be(64);
        stderr.ToString().Should().Contain(message);
    }

    [Test]
    public void PrintConfig_ShowsTheRedisOptions_AndNoPassword()
    {
        var stdout = new StringWriter();

        ArgumentParser.Parse(["--redis", "127.0.0.1:6379", "--redis-password-file", "/etc/socks5d/redis.pw", "--print-config"], new Hashtable(), stdout, new StringWriter())
            .ExitCode.Should().Be(0);

        var root = JsonDocument.Parse(stdout.ToString()).RootElement;
        root.GetProperty("redis").GetString().Should().Be("127.0.0.1:6379");
        root.GetProperty("redis-password-file").GetString().Should().Be("/etc/socks5d/redis.pw", "the file's name, never its content");
        root.GetProperty("redis-prefix").GetString().Should().Be("socks5d:");
        root.GetProperty("redis-offline").GetString().Should().Be("serve");
    }

    [Test]
    public void Usage_ListsRedis() => ArgumentParser.Usage().Should().Contain("--redis=HOST:PORT").And.Contain("--redis-offline=MODE").And.Contain("[--redis host:port");

    private static ParseOutcome Parse(string[] args, IDictionary? environment = null) =>
        ArgumentParser.Parse(args, environment ?? new Hashtable(), new StringWriter(), new StringWriter());
}
