using Mcp.Protocol;
using Microsoft.Extensions.Logging;
using ProxyHost.Hosting;
using Socks.Core;
using Socks.Core.Dissectors;
using Socks.Core.Users;

namespace ProxyHost.Tests.Admin;

/// <summary>The host's MCP backend over a real engine, user store and users file (in process).</summary>
[CancelAfter(30_000)]
public sealed class ManagementBackendTests
{
    private static readonly UserStoreOptions CheapHashing = new() { Iterations = 1_000 };

    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("socks5d-backend-").FullName;

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public async Task UserChanges_MapEveryStoreOutcomeToItsStatus()
    {
        var store = UserStore.CreateInMemory(2, CheapHashing);
        await using var server = new SocksServer(new SocksServerOptions { Users = store });
        var backend = new ManagementBackend(server, store, new DissectorSwitch(), new CapturingLogger<ManagementBackend>());

        (await backend.AddUserAsync("alice"u8.ToArray(), "pw"u8.ToArray(), CancellationToken.None)).Should().Be(McpStatus.Ok);
        (await backend.AddUserAsync("alice"u8.ToArray(), "other"u8.ToArray(), CancellationToken.None)).Should().Be(McpStatus.UserExists);
        (await backend.AddUserAsync("ALICE"u8.ToArray(), "pw"u8.ToArray(), CancellationToken.None)).Should().Be(McpStatus.Ok);
        (await backend.AddUserAsync("bob"u8.ToArray(), "pw"u8.ToArray(), CancellationToken.None)).Should().Be(McpStatus.UserLimit);
        (await backend.RemoveUserAsync("bob"u8.ToArray(), CancellationToken.None)).Should().Be(McpStatus.UserNotFound);
        (await backend.RemoveUserAsync("alice"u8.ToArray(), CancellationToken.None)).Should().Be(McpStatus.Ok);

        (await backend.ListUsersAsync(CancellationToken.None)).Should().ContainSingle().Which.Should().Equal("ALICE"u8.ToArray());
        (await store.ValidateAsync("ALICE"u8.ToArray(), "pw"u8.ToArray(), CancellationToken.None)).Should().BeTrue();
    }

    [Test]
    public async Task AddUser_UsersFileCannotBeSaved_AnswersErrorChangesNothingAndLogsWhy()
    {
        var store = UserStore.Open(Path.Combine(_directory, "users"), 10, CheapHashing);
        await using var server = new SocksServer(new SocksServerOptions { Users = store });
        var logger = new CapturingLogger<ManagementBackend>();
        var backend = new ManagementBackend(server, store, new DissectorSwitch(), logger);
        Directory.Delete(_directory, recursive: true);

        (await backend.AddUserAsync("alice"u8.ToArray(), "s3cret"u8.ToArray(), CancellationToken.None)).Should().Be(McpStatus.Error);

        (await backend.ListUsersAsync(CancellationToken.None)).Should().BeEmpty();
        var entry = logger.Entries.Should().ContainSingle().Subject;
        entry.Level.Should().Be(LogLevel.Error);
        entry.Text.Should().StartWith($"ADD_USER answered ERROR: the users file could not be saved: users file {Path.Combine(_directory, "users")}: cannot save");
        entry.Text.Should().NotContain("s3cret");
    }

    [Test]
    public async Task Constructor_DirectoryAboveTheMcpLimit_ThrowsArgumentOutOfRange()
    {
        await using var server = new SocksServer(new SocksServerOptions { Users = UserStore.CreateInMemory(10, CheapHashing) });

        var atLimit = () => new ManagementBackend(server, UserStore.CreateInMemory(255, CheapHashing), new DissectorSwitch(), new CapturingLogger<ManagementBackend>());
        var aboveLimit = () => new ManagementBackend(server, UserStore.CreateInMemory(256, CheapHashing), new DissectorSwitch(), new CapturingLogger<ManagementBackend>());

        atLimit.Should().NotThrow();
        aboveLimit.Should().Throw<ArgumentOutOfRangeException>("LIST_USERS counts users in one byte");
    }

    [Test]
    public async Task ToggleDissector_FlipsTheSwitchTheDissectorReads()
    {
        var store = UserStore.CreateInMemory(10, CheapHashing);
        await using var server = new SocksServer(new SocksServerOptions { Users = store });
        var dissector = new DissectorSwitch(enabled: false);
        var backend = new ManagementBackend(server, store, dissector, new CapturingLogger<ManagementBackend>());

        backend.ToggleDissector().Should().BeTrue();
        dissector.Enabled.Should().BeTrue();
        backend.ToggleDissector().Should().BeFalse();
        dissector.Enabled.Should().BeFalse();
    }

    [Test]
    public async Task GetMetrics_BeforeAnySession_AllZero()
    {
        var store = UserStore.CreateInMemory(10, CheapHashing);
        await using var server = new SocksServer(new SocksServerOptions { Users = store });
        var backend = new ManagementBackend(server, store, new DissectorSwitch(), new CapturingLogger<ManagementBackend>());

        backend.GetMetrics().Should().Be(new McpMetrics(0, 0, 0, 0, 0, 0));
    }
}
