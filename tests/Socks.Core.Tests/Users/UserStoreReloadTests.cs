using System.Security.Cryptography;
using Socks.Core.Users;
using static Socks.Core.Tests.Users.UserStoreTests;

namespace Socks.Core.Tests.Users;

/// <summary><see cref="UserStore.Reload"/>: the users file, edited by hand, is the truth; a bad file changes nothing.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class UserStoreReloadTests
{
    private const string Header = "socks5d-users v1\n";

    private string _directory = null!;
    private string _path = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("socks5d-reload-test-").FullName;
        _path = Path.Combine(_directory, "users");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Reload_AppliesAdditionsRemovalsAndPasswordChanges_AndReportsTheEndedUsers()
    {
        File.WriteAllText(_path, Header + Record("ann", "ann-pw") + Record("ben", "ben-pw") + Record("cat", "cat-pw"));
        var store = UserStore.Open(_path, 10, FastHashing);
        store.AddTemporary(B("tmp"), B("tmp-pw")).Should().Be(UserChangeResult.Ok);
        var ended = new List<string>();
        store.UserRemoved += (_, e) => ended.Add(System.Text.Encoding.UTF8.GetString(e.Username.Span));
        var annLine = File.ReadAllLines(_path)[1];

        // ann unchanged (same line), ben removed, cat with a new password, dan added.
        File.WriteAllText(_path, Header + annLine + "\n" + Record("cat", "cat-new") + Record("dan", "dan-pw"));
        var result = store.Reload();

        result.Should().Be(new UsersReloadResult(Added: 1, Removed: 1, Changed: 1, Count: 4));
        ended.Should().BeEquivalentTo("ben", "cat");
        store.ListUsers().Select(u => System.Text.Encoding.UTF8.GetString(u)).Should().Equal("tmp", "ann", "cat", "dan");
        (await store.ValidateAsync(B("ann"), B("ann-pw"), CancellationToken.None)).Should().BeTrue();
        (await store.ValidateAsync(B("ben"), B("ben-pw"), CancellationToken.None)).Should().BeFalse();
        (await store.ValidateAsync(B("cat"), B("cat-pw"), CancellationToken.None)).Should().BeFalse("the old password is gone");
        (await store.ValidateAsync(B("cat"), B("cat-new"), CancellationToken.None)).Should().BeTrue();
        (await store.ValidateAsync(B("dan"), B("dan-pw"), CancellationToken.None)).Should().BeTrue();
        (await store.ValidateAsync(B("tmp"), B("tmp-pw"), CancellationToken.None)).Should().BeTrue("-u users are not the file's to remove");
    }

    [Test]
    public void Reload_OfABrokenFile_ThrowsNamingTheLine_AndChangesNothing()
    {
        File.WriteAllText(_path, Header + Record("ann", "ann-pw"));
        var store = UserStore.Open(_path, 10, FastHashing);
        var removed = 0;
        store.UserRemoved += (_, _) => removed++;
        File.WriteAllText(_path, Header + "garbage\n");

        var reload = () => store.Reload();

        reload.Should().Throw<UsersFileException>().WithMessage($"users file {_path}: line 2: *");
        store.ListUsers().Should().ContainSingle();
        removed.Should().Be(0);
    }

    [Test]
    public void Reload_OfAFileThatNamesACommandLineUser_OrDoesNotFitTheLimit_ChangesNothing()
    {
        File.WriteAllText(_path, Header + Record("ann", "ann-pw"));
        var store = UserStore.Open(_path, 2, FastHashing);
        store.AddTemporary(B("tmp"), B("tmp-pw")).Should().Be(UserChangeResult.Ok);

        File.WriteAllText(_path, Header + Record("tmp", "other"));
        store.Invoking(s => s.Reload()).Should().Throw<UsersFileException>().WithMessage("*user 'tmp' is also given on the command line (-u)*");

        File.WriteAllText(_path, Header + Record("ann", "ann-pw") + Record("ben", "ben-pw"));
        store.Invoking(s => s.Reload()).Should().Throw<UsersFileException>().WithMessage("*more than the limit of 2*");
        store.ListUsers().Select(u => System.Text.Encoding.UTF8.GetString(u)).Should().Equal("ann", "tmp");
    }

    [Test]
    public void Reload_OfAStoreWithoutAFile_IsRefused()
    {
        var store = UserStore.CreateInMemory(2, FastHashing);

        store.Invoking(s => s.Reload()).Should().Throw<InvalidOperationException>();
    }

    private static string Record(string name, string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(B(password), salt, 1_000, HashAlgorithmName.SHA256, 32);
        return $"{Convert.ToBase64String(B(name))}:pbkdf2-sha256:1000:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}\n";
    }
}
