using System.Security.Cryptography;
using Socks.Core.Limits;
using Socks.Core.Users;
using static Socks.Core.Tests.Users.UserStoreTests;

namespace Socks.Core.Tests.Users;

/// <summary>Users file v2: per-user limits beside the v1 record (docs/users-file.md "Limits"), v1 still read.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class UsersFileLimitsTests
{
    private string _directory = null!;
    private string _path = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("socks5d-limits-test-").FullName;
        _path = Path.Combine(_directory, "users");
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string Record(string name)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(B("pw-" + name), salt, 1_000, HashAlgorithmName.SHA256, 32);
        return $"{Convert.ToBase64String(B(name))}:pbkdf2-sha256:1000:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}";
    }

    private UserStore Open() => UserStore.Open(_path, 10, FastHashing);

    [Test]
    public void Open_V1File_UsersHaveNoLimits()
    {
        File.WriteAllText(_path, $"socks5d-users v1\n{Record("alice")}\n");

        var store = Open();

        store.TryGetLimits(B("alice"), out var limits).Should().BeTrue();
        limits.IsNone.Should().BeTrue();
        store.TryGetLimits(B("nobody"), out _).Should().BeFalse();
    }

    [Test]
    public void SetLimits_SavesV2AndReopens_ThenNoneWritesV1Again()
    {
        File.WriteAllText(_path, $"socks5d-users v1\n{Record("alice")}\n{Record("bob")}\n");
        var store = Open();
        var limits = new UserLimits(2, 1_048_576, 524_288, 53_687_091_200, QuotaPeriod.Month);

        store.SetLimits("alice", limits).Should().Be(UserChangeResult.Ok);

        var lines = File.ReadAllLines(_path);
        lines[0].Should().Be("socks5d-users v2");
        lines.Should().Contain(l => l.StartsWith(Convert.ToBase64String(B("alice")) + ":", StringComparison.Ordinal)
            && l.EndsWith(" sessions=2 rate-up=1048576 rate-down=524288 quota=53687091200/month", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith(Convert.ToBase64String(B("bob")) + ":", StringComparison.Ordinal) && !l.Contains(' ', StringComparison.Ordinal));
        UnixFileMode().Should().Be(System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite);
        Open().TryGetLimits(B("alice"), out var reopened).Should().BeTrue();
        reopened.Should().Be(limits);

        store.SetLimits("alice", UserLimits.None).Should().Be(UserChangeResult.Ok);

        File.ReadAllLines(_path)[0].Should().Be("socks5d-users v1", "a file without limits stays readable by an older socks5d");
        Open().TryGetLimits(B("alice"), out var cleared).Should().BeTrue();
        cleared.IsNone.Should().BeTrue();
    }

    [Test]
    public void SetLimits_UnknownUser_IsUserNotFoundAndWritesNothing()
    {
        var store = Open();

        store.SetLimits("ghost", new UserLimits(1, 0, 0, 0, QuotaPeriod.None)).Should().Be(UserChangeResult.UserNotFound);

        File.Exists(_path).Should().BeFalse();
    }

    [Test]
    public async Task SetLimitsAsync_AppliesAndSaves()
    {
        File.WriteAllText(_path, $"socks5d-users v1\n{Record("alice")}\n");
        var store = Open();

        (await store.SetLimitsAsync(B("alice"), new UserLimits(0, 0, 0, 1000, QuotaPeriod.Day), CancellationToken.None)).Should().Be(UserChangeResult.Ok);

        File.ReadAllText(_path).Should().Contain(" quota=1000/day\n");
        store.TryGetLimits(B("alice"), out var limits).Should().BeTrue();
        limits.Quota.Should().Be(1000);
        limits.Period.Should().Be(QuotaPeriod.Day);
    }

    [Test]
    public void Reload_ChangedLimits_AppliedWithoutEndingSessions()
    {
        File.WriteAllText(_path, $"socks5d-users v1\n{Record("alice")}\n");
        var store = Open();
        var removed = 0;
        store.UserRemoved += (_, _) => removed++;
        var record = File.ReadAllLines(_path)[1];

        File.WriteAllText(_path, $"socks5d-users v2\n{record} sessions=3 rate-down=1000\n");
        var result = store.Reload();

        result.Changed.Should().Be(0);
        removed.Should().Be(0);
        store.TryGetLimits(B("alice"), out var limits).Should().BeTrue();
        limits.Should().Be(new UserLimits(3, 0, 1000, 0, QuotaPeriod.None));
    }

    [TestCase("sessions", "line 2: unknown limit 'session' (known: sessions, rate-up, rate-down, quota)", " session=1")]
    [TestCase("zero", "line 2: limit 'sessions' must be a whole number from 1 to 2147483647", " sessions=0")]
    [TestCase("big", "line 2: limit 'sessions' must be a whole number from 1 to 2147483647", " sessions=2147483648")]
    [TestCase("sign", "line 2: limit 'rate-up' must be a whole number from 1 to 9223372036854775807", " rate-up=+5")]
    [TestCase("twice", "line 2: limit 'rate-down' given twice", " rate-down=5 rate-down=6")]
    [TestCase("no value", "line 2: limit 'rate-down' must be a whole number from 1 to 9223372036854775807", " rate-down=")]
    [TestCase("no equals", "line 2: limit 'sessions' is not key=value", " sessions")]
    [TestCase("no period", "line 2: quota must be BYTES/day or BYTES/month", " quota=1000")]
    [TestCase("bad period", "line 2: quota must be BYTES/day or BYTES/month", " quota=1000/week")]
    [TestCase("bad quota", "line 2: limit 'quota' must be a whole number from 1 to 9223372036854775807", " quota=1k/day")]
    public void Open_BadLimit_NamesLineAndProblem(string what, string expected, string suffix)
    {
        File.WriteAllText(_path, $"socks5d-users v2\n{Record("alice")}{suffix}\n");

        var open = Open;

        open.Should().Throw<UsersFileException>(what).Which.Message.Should().Be($"users file {_path}: {expected}");
    }

    [Test]
    public void Open_LimitsInV1File_Refused()
    {
        File.WriteAllText(_path, $"socks5d-users v1\n{Record("alice")} sessions=1\n");

        var open = Open;

        open.Should().Throw<UsersFileException>().Which.LineNumber.Should().Be(2);
    }

    [Test]
    public void Open_UnknownVersion_NamesBothKnown()
    {
        File.WriteAllText(_path, "socks5d-users v3\n");

        var open = Open;

        open.Should().Throw<UsersFileException>().Which.Message.Should()
            .Be($"users file {_path}: line 1: unsupported format version (this socks5d reads 'socks5d-users v1' and 'socks5d-users v2')");
    }

    private System.IO.UnixFileMode UnixFileMode() => OperatingSystem.IsWindows() ? System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite : File.GetUnixFileMode(_path);
}
