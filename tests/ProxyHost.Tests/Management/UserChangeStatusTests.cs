using Mcp.Protocol;
using ProxyHost.Management;
using Socks.Core.Users;

namespace ProxyHost.Tests.Management;

public class UserChangeStatusTests
{
    [TestCase(UserChangeResult.Ok, McpStatus.Ok)]
    [TestCase(UserChangeResult.UserExists, McpStatus.UserExists)]
    [TestCase(UserChangeResult.UserNotFound, McpStatus.UserNotFound)]
    [TestCase(UserChangeResult.UserLimit, McpStatus.UserLimit)]
    public void From_EachResult_MapsToItsStatus(UserChangeResult result, McpStatus expected)
    {
        UserChangeStatus.From(result).Should().Be(expected);
    }

    [Test]
    public void From_UndefinedValue_ThrowsArgumentOutOfRange()
    {
        var map = () => UserChangeStatus.From((UserChangeResult)42);

        map.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public async Task ApplyAsync_RealStore_MapsEveryOutcome()
    {
        var store = UserStore.CreateInMemory(maxUsers: 1, new UserStoreOptions { Iterations = 1_000 });

        var (status, failure) = await UserChangeStatus.ApplyAsync(() => store.AddAsync("alice"u8.ToArray(), "pw"u8.ToArray(), CancellationToken.None));
        status.Should().Be(McpStatus.Ok);
        failure.Should().BeNull();
        (await UserChangeStatus.ApplyAsync(() => store.AddAsync("alice"u8.ToArray(), "pw"u8.ToArray(), CancellationToken.None))).Status.Should().Be(McpStatus.UserExists);
        (await UserChangeStatus.ApplyAsync(() => store.AddAsync("bob"u8.ToArray(), "pw"u8.ToArray(), CancellationToken.None))).Status.Should().Be(McpStatus.UserLimit);
        (await UserChangeStatus.ApplyAsync(() => store.RemoveAsync("bob"u8.ToArray(), CancellationToken.None))).Status.Should().Be(McpStatus.UserNotFound);
        (await UserChangeStatus.ApplyAsync(() => store.RemoveAsync("alice"u8.ToArray(), CancellationToken.None))).Status.Should().Be(McpStatus.Ok);
    }

    [Test]
    public async Task ApplyAsync_UsersFileCannotBeSaved_ReturnsErrorWithTheIOException()
    {
        var directory = Directory.CreateTempSubdirectory("mcp-users-");
        var store = UserStore.Open(Path.Combine(directory.FullName, "users"), 10, new UserStoreOptions { Iterations = 1_000 });
        directory.Delete(recursive: true);

        var (status, failure) = await UserChangeStatus.ApplyAsync(() => store.AddAsync("alice"u8.ToArray(), "pw"u8.ToArray(), CancellationToken.None));

        status.Should().Be(McpStatus.Error);
        failure.Should().BeAssignableTo<IOException>();
        store.Count.Should().Be(0);
    }

    [Test]
    public async Task ApplyAsync_OtherException_Propagates()
    {
        var apply = async () => await UserChangeStatus.ApplyAsync(() => throw new InvalidOperationException("bug"));

        await apply.Should().ThrowAsync<InvalidOperationException>().WithMessage("bug");
    }

    [Test]
    public async Task ApplyAsync_ChangeFailsAfterStarting_ReturnsErrorWithTheIOException()
    {
        var (status, failure) = await UserChangeStatus.ApplyAsync(async () =>
        {
            await Task.Yield();
            throw new IOException("disk full");
        });

        status.Should().Be(McpStatus.Error);
        failure!.Message.Should().Be("disk full");
    }
}
