using System.Text;
using Socks.Core.Users;

namespace Socks.Core.Tests.Users;

[TestFixture]
[CancelAfter(60_000)]
public sealed class UserStoreTests
{
    // Cheap derivations keep the suite fast; one test below uses the default cost.
    internal static readonly UserStoreOptions FastHashing = new() { Iterations = 1_000 };

    internal static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static UserStore NewStore(int maxUsers = 10) => UserStore.CreateInMemory(maxUsers, FastHashing);

    [Test]
    public async Task Add_WithStrings_StoresTheUtf8BytesASocksClientSends_AndRemoveWithAStringRemovesThem()
    {
        var store = NewStore();

        store.Add("jürgen", "pässwörd").Should().Be(UserChangeResult.Ok);
        store.AddTemporary("ana", "pw").Should().Be(UserChangeResult.Ok);

        store.ListUsers().Should().BeEquivalentTo([B("jürgen"), B("ana")]);
        (await store.ValidateAsync(B("jürgen"), B("pässwörd"), CancellationToken.None)).Should().BeTrue();
        store.Remove("jürgen").Should().Be(UserChangeResult.Ok);
        store.Remove("jürgen").Should().Be(UserChangeResult.UserNotFound);
        store.ListUsers().Should().BeEquivalentTo([B("ana")]);
    }

    [Test]
    public void Add_WithStringsThatAreNotValidUtf16OrNull_Throws_AndAddsNobody()
    {
        var store = NewStore();

        store.Invoking(s => s.Add("alice\ud800", "pw")).Should().Throw<ArgumentException>();
        store.Invoking(s => s.Add(null!, "pw")).Should().Throw<ArgumentNullException>().WithParameterName("username");
        store.Invoking(s => s.AddTemporary("alice", null!)).Should().Throw<ArgumentNullException>().WithParameterName("password");
        store.Invoking(s => s.Add("alice", new string('x', 256))).Should().Throw<ArgumentException>();

        store.Count.Should().Be(0);
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void CreateInMemory_LimitOutsideRange_ThrowsArgumentOutOfRange(int maxUsers)
    {
        var create = () => UserStore.CreateInMemory(maxUsers);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    [TestCase(1)]
    [TestCase(255)]
    [TestCase(256, Description = "255 is MCP's limit (LIST_USERS COUNT is one byte), checked by the management layer, not the store")]
    [TestCase(100_000)]
    public void CreateInMemory_LimitInsideRange_IsEmptyWithThatLimit(int maxUsers)
    {
        var store = UserStore.CreateInMemory(maxUsers);

        store.MaxUsers.Should().Be(maxUsers);
        store.Count.Should().Be(0);
        store.HasUsers.Should().BeFalse();
        store.ListUsers().Should().BeEmpty();
    }

    [Test]
    public void CreateInMemory_NoLimitGiven_DefaultsToTen()
    {
        UserStore.CreateInMemory().MaxUsers.Should().Be(10);
    }

    [Test]
    public void Add_LimitAbove255_AcceptsMoreThan255Users()
    {
        var store = NewStore(maxUsers: 300);

        for (var i = 0; i < 300; i++)
        {
            store.AddTemporary(B("u" + i), B("p")).Should().Be(UserChangeResult.Ok);
        }

        store.Count.Should().Be(300);
        store.AddTemporary(B("one-more"), B("p")).Should().Be(UserChangeResult.UserLimit);
    }

    [Test]
    public async Task AddAsync_NewUser_ReturnsOkAndValidates()
    {
        IUserDirectory directory = NewStore();

        (await directory.AddAsync(B("alice"), B("secret"), CancellationToken.None)).Should().Be(UserChangeResult.Ok);
        (await directory.AddAsync(B("alice"), B("other"), CancellationToken.None)).Should().Be(UserChangeResult.UserExists);

        (await directory.ListUsersAsync(CancellationToken.None)).Should().BeEquivalentTo(new[] { B("alice") });
        (await ((IUserStore)directory).ValidateAsync(B("alice"), B("secret"), CancellationToken.None)).Should().BeTrue();
    }

    [Test]
    public async Task AddAsync_AtLimit_ReturnsUserLimit()
    {
        IUserDirectory directory = NewStore(maxUsers: 1);
        directory.MaxUsers.Should().Be(1);
        await directory.AddAsync(B("a"), B("p"), CancellationToken.None);

        (await directory.AddAsync(B("b"), B("p"), CancellationToken.None)).Should().Be(UserChangeResult.UserLimit);
    }

    [Test]
    public async Task AddAsync_CredentialOfBadLength_ThrowsArgumentException()
    {
        var store = NewStore();

        var add = async () => await store.AddAsync(new byte[256], B("p"), CancellationToken.None);

        (await add.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("username");
        store.Count.Should().Be(0);
    }

    [Test]
    public async Task AddAsync_CancelledBeforeStart_IsCancelledAndAddsNothing()
    {
        var store = NewStore();

        var add = async () => await store.AddAsync(B("alice"), B("p"), new CancellationToken(canceled: true));

        await add.Should().ThrowAsync<OperationCanceledException>();
        store.Count.Should().Be(0);
        store.DerivationCount.Should().Be(0);
    }

    [Test]
    public async Task AddAsync_RunsOffTheThreadPool()
    {
        var store = NewStore();
        bool? onPoolThread = null;
        store.UserRemoved += (_, _) => onPoolThread = Thread.CurrentThread.IsThreadPoolThread;
        await store.AddAsync(B("alice"), B("p"), CancellationToken.None);

        (await store.RemoveAsync(B("alice"), CancellationToken.None)).Should().Be(UserChangeResult.Ok);

        onPoolThread.Should().BeFalse("the change, and so the event, runs on a thread of its own");
    }

    [Test]
    public async Task RemoveAsync_ExistingAndUnknownUser_MapsAndRaisesOnce()
    {
        IUserDirectory directory = NewStore();
        await directory.AddAsync(B("alice"), B("p"), CancellationToken.None);
        var removed = new List<byte[]>();
        directory.UserRemoved += (sender, e) =>
        {
            sender.Should().BeSameAs(directory);
            removed.Add(e.Username.ToArray());
        };

        (await directory.RemoveAsync(B("bob"), CancellationToken.None)).Should().Be(UserChangeResult.UserNotFound);
        (await directory.RemoveAsync(B("alice"), CancellationToken.None)).Should().Be(UserChangeResult.Ok);

        removed.Should().BeEquivalentTo(new[] { B("alice") });
        (await directory.ListUsersAsync(CancellationToken.None)).Should().BeEmpty();
    }

    [Test]
    public async Task ListUsersAsync_CancelledToken_IsCancelled()
    {
        var store = NewStore();

        var list = async () => await store.ListUsersAsync(new CancellationToken(canceled: true));

        await list.Should().ThrowAsync<OperationCanceledException>();
    }

    [Test]
    public void Add_NewUser_ReturnsOkAndListsIt()
    {
        var store = NewStore();

        store.Add(B("alice"), B("secret")).Should().Be(UserChangeResult.Ok);

        store.Count.Should().Be(1);
        store.HasUsers.Should().BeTrue();
        store.ListUsers().Should().BeEquivalentTo(new[] { B("alice") }, o => o.WithStrictOrdering());
    }

    [Test]
    public async Task Add_ExistingName_ReturnsUserExistsAndKeepsOldPassword()
    {
        var store = NewStore();
        store.Add(B("alice"), B("old")).Should().Be(UserChangeResult.Ok);

        store.Add(B("alice"), B("new")).Should().Be(UserChangeResult.UserExists);

        store.Count.Should().Be(1);
        (await store.ValidateAsync(B("alice"), B("old"), CancellationToken.None)).Should().BeTrue();
        (await store.ValidateAsync(B("alice"), B("new"), CancellationToken.None)).Should().BeFalse();
    }

    [Test]
    public void Add_AtLimit_ReturnsUserLimit()
    {
        var store = NewStore(maxUsers: 2);
        store.Add(B("a"), B("p")).Should().Be(UserChangeResult.Ok);
        store.Add(B("b"), B("p")).Should().Be(UserChangeResult.Ok);

        store.Add(B("c"), B("p")).Should().Be(UserChangeResult.UserLimit);

        store.ListUsers().Should().BeEquivalentTo(new[] { B("a"), B("b") }, o => o.WithStrictOrdering());
    }

    [Test]
    public void Add_ExistingNameAtLimit_ReturnsUserExists()
    {
        var store = NewStore(maxUsers: 1);
        store.Add(B("a"), B("p"));

        store.Add(B("a"), B("q")).Should().Be(UserChangeResult.UserExists);
    }

    [Test]
    public void Add_AfterRemoveAtLimit_ReturnsOk()
    {
        var store = NewStore(maxUsers: 1);
        store.Add(B("a"), B("p"));
        store.Remove(B("a"));

        store.Add(B("b"), B("p")).Should().Be(UserChangeResult.Ok);
    }

    [TestCase(0, 1, "username")]
    [TestCase(256, 1, "username")]
    [TestCase(1, 0, "password")]
    [TestCase(1, 256, "password")]
    public void Add_CredentialOfBadLength_ThrowsArgumentException(int nameLength, int passwordLength, string parameter)
    {
        var store = NewStore();

        var add = () => store.Add(new byte[nameLength], new byte[passwordLength]);

        add.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(parameter);
        store.Count.Should().Be(0);
    }

    [Test]
    public async Task Add_CredentialsOfMaximumLength_Validate()
    {
        var store = NewStore();
        var name = Enumerable.Repeat((byte)'n', 255).ToArray();
        var password = Enumerable.Repeat((byte)'p', 255).ToArray();

        store.Add(name, password).Should().Be(UserChangeResult.Ok);

        (await store.ValidateAsync(name, password, CancellationToken.None)).Should().BeTrue();
    }

    [Test]
    public void Remove_ExistingUser_ReturnsOkAndForgetsIt()
    {
        var store = NewStore();
        store.Add(B("alice"), B("p"));
        store.Add(B("bob"), B("p"));

        store.Remove(B("alice")).Should().Be(UserChangeResult.Ok);

        store.ListUsers().Should().BeEquivalentTo(new[] { B("bob") });
        store.Count.Should().Be(1);
    }

    [Test]
    public void Remove_LastUser_HasUsersBecomesFalse()
    {
        var store = NewStore();
        store.Add(B("alice"), B("p"));

        store.Remove(B("alice"));

        store.HasUsers.Should().BeFalse();
    }

    [Test]
    public void Remove_UnknownUser_ReturnsUserNotFound()
    {
        var store = NewStore();
        store.Add(B("alice"), B("p"));

        store.Remove(B("bob")).Should().Be(UserChangeResult.UserNotFound);

        store.Count.Should().Be(1);
    }

    [Test]
    public void Remove_ExistingUser_RaisesUserRemovedWithItsName()
    {
        var store = NewStore();
        store.Add(B("alice"), B("p"));
        var removed = new List<byte[]>();
        store.UserRemoved += (sender, e) =>
        {
            sender.Should().BeSameAs(store);
            removed.Add(e.Username.ToArray());
        };

        store.Remove(B("alice"));

        removed.Should().BeEquivalentTo(new[] { B("alice") });
    }

    [Test]
    public void Remove_UnknownUser_RaisesNothing()
    {
        var store = NewStore();
        var raised = 0;
        store.UserRemoved += (_, _) => raised++;

        store.Remove(B("ghost"));

        raised.Should().Be(0);
    }

    [Test]
    public void Remove_WhenEventRaised_StoreNoLongerHasTheUser()
    {
        var store = NewStore();
        store.Add(B("alice"), B("p"));
        int? countSeenByHandler = null;
        store.UserRemoved += (_, _) => countSeenByHandler = store.Count;

        store.Remove(B("alice"));

        countSeenByHandler.Should().Be(0);
    }

    [Test]
    public void ListUsers_ManyChanges_KeepsInsertionOrder()
    {
        var store = NewStore();
        foreach (var name in new[] { "d", "b", "a", "c" })
        {
            store.Add(B(name), B("p"));
        }

        store.Remove(B("b"));
        store.Add(B("b"), B("p"));

        store.ListUsers().Select(Encoding.UTF8.GetString).Should().Equal("d", "a", "c", "b");
    }

    [Test]
    public void ListUsers_ReturnedArraysChanged_StoreUnaffected()
    {
        var store = NewStore();
        store.Add(B("alice"), B("p"));
        var list = store.ListUsers();

        list[0][0] = (byte)'X';
        store.Add(B("bob"), B("p"));

        list.Should().HaveCount(1, "the list is a snapshot");
        store.ListUsers()[0].Should().Equal(B("alice"));
    }

    [Test]
    public async Task ValidateAsync_RightPassword_ReturnsTrue()
    {
        var store = NewStore();
        store.Add(B("alice"), B("secret"));

        (await store.ValidateAsync(B("alice"), B("secret"), CancellationToken.None)).Should().BeTrue();
    }

    [TestCase("Secret")]
    [TestCase("secret ")]
    [TestCase("secre")]
    [TestCase("secrets")]
    [TestCase("x")]
    public async Task ValidateAsync_WrongPassword_ReturnsFalse(string password)
    {
        var store = NewStore();
        store.Add(B("alice"), B("secret"));

        (await store.ValidateAsync(B("alice"), B(password), CancellationToken.None)).Should().BeFalse();
    }

    [Test]
    public async Task ValidateAsync_UnknownUser_ReturnsFalseWithoutDerivation()
    {
        var store = NewStore();
        store.Add(B("alice"), B("secret"));
        var before = store.DerivationCount;

        (await store.ValidateAsync(B("bob"), B("secret"), CancellationToken.None)).Should().BeFalse();

        store.DerivationCount.Should().Be(before);
    }

    [Test]
    public async Task ValidateAsync_EmptyStore_ReturnsFalse()
    {
        var store = NewStore();

        (await store.ValidateAsync(B("alice"), B("secret"), CancellationToken.None)).Should().BeFalse();
    }

    [TestCase(0, 1)]
    [TestCase(256, 1)]
    [TestCase(1, 0)]
    [TestCase(1, 256)]
    public async Task ValidateAsync_CredentialOfBadLength_ReturnsFalse(int nameLength, int passwordLength)
    {
        var store = NewStore();
        store.Add(new byte[1], new byte[1]);

        (await store.ValidateAsync(new byte[nameLength], new byte[passwordLength], CancellationToken.None)).Should().BeFalse();
    }

    [Test]
    public async Task ValidateAsync_CancelledToken_IsCancelled()
    {
        var store = NewStore();
        store.Add(B("alice"), B("secret"));

        var validate = async () => await store.ValidateAsync(B("alice"), B("secret"), new CancellationToken(canceled: true));

        await validate.Should().ThrowAsync<OperationCanceledException>();
    }

    [Test]
    public async Task ValidateAsync_NameDiffersInCase_ReturnsFalse()
    {
        var store = NewStore();
        store.Add(B("Alice"), B("secret"));

        (await store.ValidateAsync(B("alice"), B("secret"), CancellationToken.None)).Should().BeFalse();
        store.Add(B("alice"), B("other")).Should().Be(UserChangeResult.Ok, "names differing in case are different users");
        (await store.ValidateAsync(B("alice"), B("other"), CancellationToken.None)).Should().BeTrue();
        (await store.ValidateAsync(B("Alice"), B("other"), CancellationToken.None)).Should().BeFalse();
    }

    [Test]
    public async Task ValidateAsync_NonUtf8NameAndPassword_ComparedByteForByte()
    {
        var store = NewStore();
        byte[] name = [0xFF, 0x00, (byte)':', (byte)'\n', 0xC3];
        byte[] password = [0x00, 0x80, 0xFE];
        store.Add(name, password);

        (await store.ValidateAsync(name, password, CancellationToken.None)).Should().BeTrue();
        (await store.ValidateAsync(name[..^1], password, CancellationToken.None)).Should().BeFalse();
        (await store.ValidateAsync(name, password[..^1], CancellationToken.None)).Should().BeFalse();
        store.ListUsers()[0].Should().Equal(name);
        store.Remove(name[..^1]).Should().Be(UserChangeResult.UserNotFound);
        store.Remove(name).Should().Be(UserChangeResult.Ok);
    }

    [Test]
    public async Task ValidateAsync_AfterRemove_ReturnsFalse()
    {
        var store = NewStore();
        store.Add(B("alice"), B("secret"));
        (await store.ValidateAsync(B("alice"), B("secret"), CancellationToken.None)).Should().BeTrue();

        store.Remove(B("alice"));

        (await store.ValidateAsync(B("alice"), B("secret"), CancellationToken.None)).Should().BeFalse();
    }

    [Test]
    public async Task ValidateAsync_ReAddedWithNewPassword_OldPasswordFailsNewSucceeds()
    {
        var store = NewStore();
        store.Add(B("alice"), B("old"));
        (await store.ValidateAsync(B("alice"), B("old"), CancellationToken.None)).Should().BeTrue();

        store.Remove(B("alice"));
        store.Add(B("alice"), B("new"));

        (await store.ValidateAsync(B("alice"), B("old"), CancellationToken.None)).Should().BeFalse();
        (await store.ValidateAsync(B("alice"), B("new"), CancellationToken.None)).Should().BeTrue();
    }

    [Test]
    public async Task ValidateAsync_UserAddedHere_NeedsNoDerivation()
    {
        var store = NewStore();
        store.Add(B("alice"), B("secret"));
        store.DerivationCount.Should().Be(1, "Add hashes the password once");

        for (var i = 0; i < 3; i++)
        {
            (await store.ValidateAsync(B("alice"), B("secret"), CancellationToken.None)).Should().BeTrue();
            (await store.ValidateAsync(B("alice"), B("wrong" + i), CancellationToken.None)).Should().BeFalse();
        }

        store.DerivationCount.Should().Be(1, "the password was known at Add, so its check is cached");
    }

    [Test]
    public void Add_RefusedAdd_RunsNoDerivation()
    {
        var store = NewStore(maxUsers: 1);
        store.Add(B("alice"), B("p"));

        store.Add(B("alice"), B("q"));
        store.Add(B("bob"), B("q"));

        store.DerivationCount.Should().Be(1);
    }

    [Test]
    public async Task Add_DefaultCost_HashesAndValidates()
    {
        var store = UserStore.CreateInMemory();

        store.Add(B("alice"), B("secret")).Should().Be(UserChangeResult.Ok);

        store.DerivationCount.Should().Be(1);
        (await store.ValidateAsync(B("alice"), B("secret"), CancellationToken.None)).Should().BeTrue();
        (await store.ValidateAsync(B("alice"), B("Secret"), CancellationToken.None)).Should().BeFalse();
    }

    [Test]
    public async Task ValidateAsync_WhileUsersChange_StableUserAlwaysValidates()
    {
        var store = NewStore(maxUsers: 5);
        store.Add(B("stable"), B("pw"));
        const int Rounds = 200;
        var changesDone = 0;

        var changer = Task.Run(() =>
        {
            for (var i = 0; i < Rounds; i++)
            {
                var name = B("churn" + (i % 4));
                if (store.Add(name, B("pw" + i)) != UserChangeResult.Ok)
                {
                    store.Remove(name).Should().Be(UserChangeResult.Ok);
                }

                Interlocked.Increment(ref changesDone);
            }
        });
        var validators = Enumerable.Range(0, 4).Select(v => Task.Run(async () =>
        {
            var checks = 0;
            while (Volatile.Read(ref changesDone) < Rounds || checks < 100)
            {
                (await store.ValidateAsync(B("stable"), B("pw"), CancellationToken.None)).Should().BeTrue();
                (await store.ValidateAsync(B("stable"), B("nope"), CancellationToken.None)).Should().BeFalse();
                _ = await store.ValidateAsync(B("churn" + (checks % 4)), B("pw" + checks), CancellationToken.None);
                store.Count.Should().BeInRange(1, 5);
                checks++;
            }
        })).ToArray();

        await Task.WhenAll([changer, .. validators]);

        store.ListUsers()[0].Should().Equal(B("stable"));
        store.Count.Should().BeInRange(1, 5);
    }

    [Test]
    public async Task Add_ConcurrentAddsOfDistinctNames_StopExactlyAtLimit()
    {
        var store = NewStore(maxUsers: 7);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => store.Add(B("u" + i), B("p")))));

        results.Count(r => r == UserChangeResult.Ok).Should().Be(7);
        results.Count(r => r == UserChangeResult.UserLimit).Should().Be(13);
        store.Count.Should().Be(7);
    }

    [Test]
    public async Task Add_ConcurrentAddsOfSameName_ExactlyOneSucceeds()
    {
        var store = NewStore();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => store.Add(B("same"), B("p" + i)))));

        results.Count(r => r == UserChangeResult.Ok).Should().Be(1);
        results.Count(r => r == UserChangeResult.UserExists).Should().Be(7);
        var winner = Array.IndexOf(results, UserChangeResult.Ok);
        (await store.ValidateAsync(B("same"), B("p" + winner), CancellationToken.None)).Should().BeTrue();
    }
}
