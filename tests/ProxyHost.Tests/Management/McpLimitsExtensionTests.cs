using System.Net;
using System.Text;
using Mcp.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using ProxyHost.Hosting;
using ProxyHost.Management;
using Socks.Core;
using Socks.Core.Dissectors;
using Socks.Core.Users;
using static System.Convert;

namespace ProxyHost.Tests.Management;

/// <summary>The limits extension (docs/mcp-protocol.md §13.1-§13.3) through the real MCP server and socks5d's real backend, byte for byte.</summary>
[CancelAfter(60_000)]
public sealed class McpLimitsExtensionTests
{
    private const string Limits2Up1MiBQuota50GiBMonth = "00000002 0000000000100000 0000000000000000 0000000C80000000 02";
    private const string NoLimits = "00000000 0000000000000000 0000000000000000 0000000000000000 00";
    private const string ZeroStats = "00000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000";

    private static byte[] Hex(string hex) => FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    [TestCase("01 80 0001 00", TestName = "USER_STATS")]
    [TestCase("01 81 0002 01 61", TestName = "GET_LIMITS")]
    [TestCase("01 82 001F 01 61 " + NoLimits, TestName = "SET_LIMITS")]
    [TestCase("01 85 0001 00", TestName = "FLEET_USER_STATS")]
    public async Task ServerWithoutTheExtension_AnswersCmdNotSupportedAndKeepsServing(string frame)
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync([.. Hex(frame), .. Frames.GetMetrics]);

        (await client.ReadAsync(4)).Should().Equal(Frames.CommandNotSupported);
        (await client.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);
    }

    [Test]
    public async Task FleetUserStats_WithoutRedis_CmdNotSupported_AsAnUnknownExtension_KeepsServing()
    {
        await using var setup = await RealServer.StartAsync();
        await using var client = await setup.ConnectRawAsync();

        await client.SendAsync([.. Hex("01 85 0001 00"), .. Hex("01 80 0001 00")]);

        (await client.ReadAsync(4)).Should().Equal(Frames.CommandNotSupported, "a socks5d without --redis is not part of a fleet");
        (await client.ReadAsync(7)).Should().Equal(Hex("01 00 0003 00 00 00"), "the connection keeps serving");
    }

    [Test]
    public async Task LimitsCommands_ByteForByte()
    {
        await using var setup = await RealServer.StartAsync();
        await using var client = await setup.ConnectRawAsync();

        // No users: TOTAL 0 START 0 COUNT 0.
        await client.SendAsync(Hex("01 80 0001 00"));
        (await client.ReadAsync(7)).Should().Equal(Hex("01 00 0003 00 00 00"));

        setup.Users.Add("bob", "pw").Should().Be(UserChangeResult.Ok);
        setup.Users.Add("alice", "pw").Should().Be(UserChangeResult.Ok);

        // SET_LIMITS alice: OK only once the users file holds the limits.
        await client.SendAsync(Hex("01 82 0023 05 616C696365 " + Limits2Up1MiBQuota50GiBMonth));
        (await client.ReadAsync(4)).Should().Equal(Hex("01 00 0000"));
        File.ReadAllText(setup.UsersFile).Should().Contain(" sessions=2 rate-up=1048576 quota=53687091200/month\n");

        await client.SendAsync(Hex("01 81 0006 05 616C696365"));
        (await client.ReadAsync(41)).Should().Equal(Hex("01 00 0025 " + Limits2Up1MiBQuota50GiBMonth + " 0000000000000000"));

        // Ordered by name: alice before bob, although bob was added first.
        await client.SendAsync(Hex("01 80 0001 00"));
        var expected = Hex("01 00 00AF 02 00 02"
            + " 05 616C696365 " + ZeroStats + " " + Limits2Up1MiBQuota50GiBMonth + " 0000000000000000"
            + " 03 626F62 " + ZeroStats + " " + NoLimits + " 0000000000000000");
        (await client.ReadAsync(expected.Length)).Should().Equal(expected);

        // START = TOTAL: an empty last page; START > TOTAL: ERROR.
        await client.SendAsync(Hex("01 80 0001 02"));
        (await client.ReadAsync(7)).Should().Equal(Hex("01 00 0003 02 02 00"));
        await client.SendAsync(Hex("01 80 0001 03"));
        (await client.ReadAsync(4)).Should().Equal(Frames.Error);

        // Unknown users.
        await client.SendAsync(Hex("01 81 0004 03 7A6F65"));
        (await client.ReadAsync(4)).Should().Equal(Frames.UserNotFound);
        await client.SendAsync(Hex("01 82 0021 03 7A6F65 " + NoLimits));
        (await client.ReadAsync(4)).Should().Equal(Frames.UserNotFound);

        // All zeros removes the limits.
        await client.SendAsync(Hex("01 82 0023 05 616C696365 " + NoLimits));
        (await client.ReadAsync(4)).Should().Equal(Hex("01 00 0000"));
        setup.Users.TryGetLimits("alice"u8, out var cleared).Should().BeTrue();
        cleared.IsNone.Should().BeTrue();
    }

    [TestCase("01 80 0000", TestName = "USER_STATS LEN 0")]
    [TestCase("01 80 0002 0000", TestName = "USER_STATS LEN 2")]
    [TestCase("01 81 0000", TestName = "GET_LIMITS LEN 0")]
    [TestCase("01 81 0001 00", TestName = "GET_LIMITS ULEN 0")]
    [TestCase("01 81 0003 05 6162", TestName = "GET_LIMITS ULEN past LEN")]
    [TestCase("01 81 0007 05 616C696365 00", TestName = "GET_LIMITS trailing byte")]
    [TestCase("01 82 0006 05 616C696365", TestName = "SET_LIMITS no limits")]
    [TestCase("01 82 0023 05 616C696365 00000000 0000000000000000 0000000000000000 0000000C80000000 03", TestName = "SET_LIMITS PERIOD 3")]
    [TestCase("01 82 0023 05 616C696365 00000000 0000000000000000 0000000000000000 0000000C80000000 00", TestName = "SET_LIMITS quota without period")]
    [TestCase("01 82 0023 05 616C696365 00000000 0000000000000000 0000000000000000 0000000000000000 02", TestName = "SET_LIMITS period without quota")]
    [TestCase("01 82 0023 05 616C696365 80000000 0000000000000000 0000000000000000 0000000000000000 00", TestName = "SET_LIMITS sessions above 2^31-1")]
    public async Task MalformedRequest_AnswersErrorChangesNothingAndKeepsServing(string frame)
    {
        await using var setup = await RealServer.StartAsync();
        setup.Users.Add("alice", "pw");
        await using var client = await setup.ConnectRawAsync();

        await client.SendAsync([.. Hex(frame), .. Frames.ListUsers]);

        (await client.ReadAsync(4)).Should().Equal(Frames.Error);
        (await client.ReadAsync(11)).Should().Equal(Hex("01 00 0007 01 05 616C696365"));
        setup.Users.TryGetLimits("alice"u8, out var limits).Should().BeTrue();
        limits.IsNone.Should().BeTrue();
    }

    [Test]
    public async Task GetUserStatsAsync_255LongNames_PagesThroughAllAndShowsLogins()
    {
        await using var setup = await RealServer.StartAsync(maxUsers: 255);
        var names = Enumerable.Range(0, 255).Select(i => Encoding.ASCII.GetBytes(i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture) + new string('n', 252))).ToList();
        foreach (var name in names.AsEnumerable().Reverse())
        {
            setup.Users.AddTemporary(name, "pw"u8).Should().Be(UserChangeResult.Ok);
        }

        // One real login, so the statistics are not all zero.
        await using var echo = new EchoServer();
        using (var socks = await SocksTestClient.OpenTunnelAsync(setup.Socks.LocalEndPoints[0], echo.EndPoint, Encoding.ASCII.GetString(names[200]), "pw"))
        {
            await socks.SendAsync("abc");
            await socks.ReceiveExactlyAsync(3);
        }

        using var client = await McpClient.ConnectAsync("127.0.0.1", setup.Mcp.LocalEndPoint.Port);
        var entries = await client.GetUserStatsAsync();

        entries.Should().HaveCount(255, "two pages: 194 entries of 337 bytes fit in the first");
        entries.Select(e => e.Username.ToArray()).Should().Equal(names, (a, b) => a.AsSpan().SequenceEqual(b));
        var logged = entries[200];
        logged.Sessions.Should().Be(1);
        logged.LastLogin.Should().BeGreaterThan((ulong)DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds());
        logged.BytesUp.Should().Be(3);
        entries.Where((_, i) => i != 200).Should().OnlyContain(e => e.Sessions == 0 && e.LastLogin == 0);
    }

    [Test]
    public async Task Client_SetAndGetLimits_RoundTrip()
    {
        await using var setup = await RealServer.StartAsync();
        setup.Users.Add("carol", "pw");
        using var client = await McpClient.ConnectAsync("127.0.0.1", setup.Mcp.LocalEndPoint.Port);
        var limits = new McpUserLimits(5, 500_000, 10_485_760, 1_000_000, McpQuotaPeriod.Day);

        await client.SetLimitsAsync("carol"u8.ToArray(), limits);
        var (read, used) = await client.GetLimitsAsync("carol"u8.ToArray());

        read.Should().Be(limits);
        used.Should().Be(0);
        Func<Task> missing = () => client.GetLimitsAsync("dave"u8.ToArray());
        (await missing.Should().ThrowAsync<McpStatusException>()).Which.Status.Should().Be(McpStatus.UserNotFound);
    }

    /// <summary>socks5d's pieces: a file-backed user store, a SOCKS server on it, the real backend and the MCP server.</summary>
    private sealed class RealServer : IAsyncDisposable
    {
        private readonly string _directory;

        private RealServer(string directory, UserStore users, SocksServer socks, McpManagementServer mcp)
        {
            _directory = directory;
            Users = users;
            Socks = socks;
            Mcp = mcp;
        }

        public UserStore Users { get; }

        public SocksServer Socks { get; }

        public McpManagementServer Mcp { get; }

        public string UsersFile => Users.FilePath!;

        public static Task<RealServer> StartAsync(int maxUsers = 10)
        {
            var directory = Directory.CreateTempSubdirectory("socks5d-mcp-limits-").FullName;
            var users = UserStore.Open(Path.Combine(directory, "users"), maxUsers, new UserStoreOptions { Iterations = 1_000 });
            var socks = new SocksServer(new SocksServerOptions { Users = users, UserDirectory = users });
            socks.Start([new IPEndPoint(IPAddress.Loopback, 0)]);
            var backend = new ManagementBackend(socks, users, new DissectorSwitch(), NullLogger<ManagementBackend>.Instance);
            var mcp = new McpManagementServer(backend, new McpManagementOptions(), NullLogger<McpManagementServer>.Instance, TimeProvider.System);
            mcp.Start(new IPEndPoint(IPAddress.Loopback, 0));
            return Task.FromResult(new RealServer(directory, users, socks, mcp));
        }

        public Task<RawMcpConnection> ConnectRawAsync() => RawMcpConnection.ConnectAsync(Mcp.LocalEndPoint);

        public async ValueTask DisposeAsync()
        {
            await Mcp.DisposeAsync();
            await Socks.DisposeAsync();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
