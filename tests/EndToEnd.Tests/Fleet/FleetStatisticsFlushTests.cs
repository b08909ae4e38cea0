using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using Socks.Core;
using Socks.Core.Users;
using Socks.Users.Redis;

namespace EndToEnd.Tests.Fleet;

/// <summary>
/// The flush of fleet statistics (docs/fleet.md "Statistics across the fleet") against a real redis-server, with a real
/// in-process SOCKS server counting real sessions: Redis down then up adds the kept deltas once; a flush whose reply was
/// lost (Redis carried it out) is sent again and not counted twice; removing the user deletes its fleet statistics.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
[SupportedOSPlatform("linux")]
[NonParallelizable]
public sealed class FleetStatisticsFlushTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() =>
        _directory = Directory.CreateDirectory(Path.Combine(TestContext.CurrentContext.WorkDirectory, "flush-" + Guid.NewGuid().ToString("N"))).FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task RedisDownThenUp_DeltasAddedOnce_LostReply_NotCountedTwice_RemovedUser_StatisticsDeleted()
    {
        await using var redis = await RedisServer.StartAsync(Path.Combine(_directory, "redis"));
        await using var relay = new ReplyEatingRelay(redis.Port);
        await using var echo = new EchoServer();
        var prefix = "flush-" + Guid.NewGuid().ToString("N")[..8] + ":";
        // The node under test reaches Redis through the relay; its timer never fires (an hour), the test flushes.
        await using var node = await RedisUserStore.ConnectAsync(
            new RedisUserStoreOptions { EndPoint = relay.EndPoint, Prefix = prefix, StatisticsInterval = TimeSpan.FromHours(1) },
            UserStore.CreateInMemory(), null, null, CancellationToken.None);
        // A second node, straight to Redis, reads what Redis holds (it counts nothing of its own).
        await using var reader = await RedisUserStore.ConnectAsync(
            new RedisUserStoreOptions { EndPoint = redis.EndPoint, Prefix = prefix }, UserStore.CreateInMemory(), null, null, CancellationToken.None);
        await using var server = new SocksServer(new SocksServerOptions { Users = node, UserDirectory = node });
        server.Start([new IPEndPoint(IPAddress.Loopback, 0)]);
        node.PublishStatistics(server.GetUserStatistics);
        (await node.AddAsync("gus"u8.ToArray(), "gus-pw"u8.ToArray(), CancellationToken.None)).Should().Be(UserChangeResult.Ok);

        await SessionAsync(server, echo, 3000);
        (await node.FlushStatisticsAsync()).Should().BeTrue();
        (await InRedisAsync(reader)).Should().Be((1, 3000, 3000));

        // Redis dies: the session is counted here, the flushes fail and keep it.
        await redis.KillAsync();
        await SessionAsync(server, echo, 5000);
        (await node.FlushStatisticsAsync()).Should().BeFalse("Redis is down");
        (await node.FlushStatisticsAsync()).Should().BeFalse("Redis is still down");
        await redis.StartAgainAsync();
        await WaitUntilAsync(node.FlushStatisticsAsync, "a flush succeeds once Redis is back");
        (await InRedisAsync(reader)).Should().Be((2, 8000, 8000), "the deltas kept while Redis was down are added, once");

        // A flush whose reply is lost: Redis added it, the node cannot know; it sends the same batch again.
        await SessionAsync(server, echo, 7000);
        relay.EatNextReplyTo("EVAL");
        (await node.FlushStatisticsAsync()).Should().BeFalse("the reply was lost");
        relay.Eaten.Should().Be(1);
        (await InRedisAsync(reader)).Should().Be((3, 15000, 15000), "Redis carried the flush out");
        await WaitUntilAsync(node.FlushStatisticsAsync, "a flush succeeds once the node reconnected");
        (await InRedisAsync(reader)).Should().Be((3, 15000, 15000), "the batch sent again is not added twice");
        await SessionAsync(server, echo, 1000);
        (await node.FlushStatisticsAsync()).Should().BeTrue();
        (await InRedisAsync(reader)).Should().Be((4, 16000, 16000), "later counts are added as usual");
        var fleet = (await node.GetFleetStatisticsAsync(["gus"u8.ToArray()], CancellationToken.None)).Single();
        (fleet.Sessions, fleet.BytesUp, fleet.BytesDown, fleet.ActiveSessions).Should().Be((4, 16000, 16000, 0));

        // Removed: the user's fleet statistics go with it (same script).
        (await RedisCliAsync(redis, "EXISTS", prefix + "stats:gus")).Should().Be("1");
        (await node.RemoveAsync("gus"u8.ToArray(), CancellationToken.None)).Should().Be(UserChangeResult.Ok);
        (await RedisCliAsync(redis, "EXISTS", prefix + "stats:gus")).Should().Be("0", "the removal deleted gus's statistics");
        (await node.FlushStatisticsAsync()).Should().BeTrue();
        (await RedisCliAsync(redis, "EXISTS", prefix + "stats:gus")).Should().Be("0", "a flush after the removal does not bring them back");
        await server.StopAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>One session of gus through the server: <paramref name="size"/> bytes to the echo server and back, then closed.</summary>
    private static async Task SessionAsync(SocksServer server, EchoServer echo, int size)
    {
        var before = server.GetUserStatistics().SingleOrDefault()?.Sessions ?? 0;
        using (var client = await SocksTestClient.OpenTunnelAsync(server.LocalEndPoints[0], echo.EndPoint, "gus", "gus-pw"))
        {
            await client.SendAsync(new byte[size]);
            await client.ReceiveExactlyAsync(size);
        }

        // The session ended (its bytes are in the user's totals, not only live).
        await WaitUntilAsync(() => Task.FromResult(server.GetUserStatistics().Single() is { ActiveSessions: 0 } s && s.Sessions == before + 1), "the session ended");
    }

    private static async Task<string> RedisCliAsync(RedisServer redis, params string[] command)
    {
        var start = new ProcessStartInfo("redis-cli") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-h", "127.0.0.1", "-p", redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--raw" }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Generous);
        return output.Trim();
    }

    private static async Task<(long Sessions, long Up, long Down)> InRedisAsync(RedisUserStore reader)
    {
        var gus = (await reader.GetFleetStatisticsAsync(["gus"u8.ToArray()], CancellationToken.None)).Single();
        return (gus.Sessions, gus.BytesUp, gus.BytesDown);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TestTimeouts.Generous)
            {
                Assert.Fail($"{what}: not within {TestTimeouts.Generous.TotalSeconds} s");
            }

            await Task.Delay(50);
        }
    }
}
