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
    public void Apply_RealStore_MapsEveryOutcome()
    {
        var store = UserStore.CreateInMemory(maxUsers: 1, new UserStoreOptions { Iterations = 1_000 });

        UserChangeStatus.Apply(() => store.Add("alice"u8, "pw"u8), out var failure).Should().Be(McpStatus.Ok);
        failure.Should().BeNull();
        UserChangeStatus.Apply(() => store.Add("alice"u8, "pw"u8), out _).Should().Be(McpStatus.UserExists);
        UserChangeStatus.Apply(() => store.Add("bob"u8, "pw"u8), out _).Should().Be(McpStatus.UserLimit);
        UserChangeStatus.Apply(() => store.Remove("bob"u8), out _).Should().Be(McpStatus.UserNotFound);
        UserChangeStatus.Apply(() => store.Remove("alice"u8), out _).Should().Be(McpStatus.Ok);
    }

    [Test]
    public void Apply_UsersFileCannotBeSaved_ReturnsErrorWithTheIOException()
    {
        var directory = Directory.CreateTempSubdirectory("mcp-users-");
        var store = UserStore.Open(Path.Combine(directory.FullName, "users"), 10, new UserStoreOptions { Iterations = 1_000 });
        directory.Delete(recursive: true);

        var status = UserChangeStatus.Apply(() => store.Add("alice"u8, "pw"u8), out var failure);

        status.Should().Be(McpStatus.Error);
        failure.Should().BeAssignableTo<IOException>();
        store.Count.Should().Be(0);
    }

    [Test]
    public void Apply_OtherException_Propagates()
    {
        var apply = () => UserChangeStatus.Apply(() => throw new InvalidOperationException("bug"), out _);

        apply.Should().Throw<InvalidOperationException>().WithMessage("bug");
    }
}
