using System.Text;
using Socks.Core.Users;
using static Socks.Core.Tests.Users.UserStoreTests;

namespace Socks.Core.Tests.Users;

/// <summary>
/// <see cref="UserStore.CreateRecord"/> and <see cref="UserStore.Synchronize"/>: the snapshot of users kept elsewhere
/// (Redis, docs/fleet.md) is replaced as Reload replaces the users file's, and unchanged users keep their cached check.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class UserStoreSynchronizeTests
{
    [Test]
    public void CreateRecord_IsAUsersFileLine_WithoutTheClearPassword_AndAFreshSaltEachTime()
    {
        var store = UserStore.CreateInMemory(10, FastHashing);

        var first = store.CreateRecord(B("alice"), B("s3cret-pw"));
        var second = store.CreateRecord(B("alice"), B("s3cret-pw"));

        first.Should().StartWith(Convert.ToBase64String(B("alice")) + ":pbkdf2-sha256:1000:").And.NotContain("s3cret");
        first.Split(':').Should().HaveCount(5);
        second.Should().NotBe(first, "every record has a salt of its own");
        store.Count.Should().Be(0, "making a record changes nothing");
    }

    [Test]
    public async Task Synchronize_AddsRemovesAndChanges_RaisesUserRemoved_AndKeepsTemporaryUsers()
    {
        var store = UserStore.CreateInMemory(10, FastHashing);
        store.AddTemporary(B("tmp"), B("tmp-pw")).Should().Be(UserChangeResult.Ok);
        var ann = store.CreateRecord(B("ann"), B("ann-pw"));
        var ben = store.CreateRecord(B("ben"), B("ben-pw"));
        store.Synchronize("redis test", [ann, ben]).Should().Be(new UsersReloadResult(Added: 2, Removed: 0, Changed: 0, Count: 3));
        var ended = new List<string>();
        store.UserRemoved += (_, e) => ended.Add(Encoding.UTF8.GetString(e.Username.Span));

        var result = store.Synchronize("redis test", [ann, store.CreateRecord(B("ben"), B("ben-new")), store.CreateRecord(B("cat"), B("cat-pw"))]);

        result.Should().Be(new UsersReloadResult(Added: 1, Removed: 0, Changed: 1, Count: 4));
        ended.Should().Equal("ben");
        (await store.ValidateAsync(B("ben"), B("ben-pw"), CancellationToken.None)).Should().BeFalse("the old password is gone");
        (await store.ValidateAsync(B("ben"), B("ben-new"), CancellationToken.None)).Should().BeTrue();
        (await store.ValidateAsync(B("cat"), B("cat-pw"), CancellationToken.None)).Should().BeTrue();

        store.Synchronize("redis test", [ann]).Should().Be(new UsersReloadResult(Added: 0, Removed: 2, Changed: 0, Count: 2));
        ended.Should().Equal("ben", "ben", "cat");
        store.ListUsers().Select(u => Encoding.UTF8.GetString(u)).Should().Equal("tmp", "ann");
    }

    [Test]
    public async Task Synchronize_OfAnUnchangedRecord_KeepsItsVerifiedPassword_NoNewDerivation()
    {
        var store = UserStore.CreateInMemory(10, FastHashing);
        var ann = store.CreateRecord(B("ann"), B("ann-pw"));
        store.Synchronize("redis test", [ann]);
        (await store.ValidateAsync(B("ann"), B("ann-pw"), CancellationToken.None)).Should().BeTrue();
        var derivations = store.DerivationCount;

        store.Synchronize("redis test", [ann, store.CreateRecord(B("ben"), B("ben-pw"))]);
        (await store.ValidateAsync(B("ann"), B("ann-pw"), CancellationToken.None)).Should().BeTrue();

        store.DerivationCount.Should().Be(derivations, "a handshake after a synchronisation that left ann alone is a cached check");
    }

    [Test]
    public void Synchronize_WithABadRecord_ADuplicate_OrTooMany_ThrowsNamingTheSource_AndChangesNothing()
    {
        var store = UserStore.CreateInMemory(2, FastHashing);
        var ann = store.CreateRecord(B("ann"), B("ann-pw"));
        store.Synchronize("redis test", [ann]);
        var removed = 0;
        store.UserRemoved += (_, _) => removed++;

        store.Invoking(s => s.Synchronize("redis test", ["garbage"])).Should().Throw<UsersFileException>().WithMessage("users file redis test: *");
        store.Invoking(s => s.Synchronize("redis test", [ann, ann])).Should().Throw<UsersFileException>().WithMessage("*user 'ann' is given twice*");
        store.Invoking(s => s.Synchronize("redis test", [ann, store.CreateRecord(B("b"), B("b")), store.CreateRecord(B("c"), B("c"))]))
            .Should().Throw<UsersFileException>().WithMessage("*more than the limit of 2*");

        store.ListUsers().Select(u => Encoding.UTF8.GetString(u)).Should().Equal("ann");
        removed.Should().Be(0);
    }

    [Test]
    public void Synchronize_CarriesLimits_InTheV2Syntax()
    {
        var store = UserStore.CreateInMemory(10, FastHashing);

        store.Synchronize("redis test", [store.CreateRecord(B("ann"), B("ann-pw")) + " sessions=2 rate-down=1000"]);

        store.TryGetLimits(B("ann"), out var limits).Should().BeTrue();
        limits.MaxSessions.Should().Be(2);
        limits.RateDown.Should().Be(1000);
    }
}
