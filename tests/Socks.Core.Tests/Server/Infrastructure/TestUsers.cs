using System.Text;
using Socks.Core.Users;

namespace Socks.Core.Tests.Server.Infrastructure;

internal static class TestUsers
{
    private static readonly UserStoreOptions FastHashing = new() { Iterations = 1_000 };

    /// <summary>An in-memory store with cheap hashing holding the given users.</summary>
    public static UserStore Create(params (string Name, string Password)[] users)
    {
        var store = UserStore.CreateInMemory(UserStore.DefaultMaxUsers, FastHashing);
        foreach (var (name, password) in users)
        {
            store.Add(Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(password)).Should().Be(UserChangeResult.Ok);
        }

        return store;
    }

    public static UserStore Empty() => Create();
}
