using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Socks.Core.Users;
using static Socks.Core.Tests.Users.UserStoreTests;

namespace Socks.Core.Tests.Users;

[TestFixture]
[CancelAfter(60_000)]
public sealed class UserStorePersistenceTests
{
    private const string Header = "socks5d-users v1\n";

    // One derivation at a time makes "how many derivations ran" deterministic under concurrency.
    private static readonly UserStoreOptions SerialHashing = FastHashing with { MaxConcurrentDerivations = 1 };

    private string _directory = null!;
    private string _path = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("socks5d-users-test-").FullName;
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

    private UserStore OpenStore(int maxUsers = 10, UserStoreOptions? options = null) =>
        UserStore.Open(_path, maxUsers, options ?? FastHashing);

    /// <summary>A record written independently of the store, following docs/users-file.md.</summary>
    private static string Record(byte[] name, byte[] password, int iterations = 1_000)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Convert.ToBase64String(name)}:pbkdf2-sha256:{iterations}:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}";
    }

    private static string Record(string name) => Record(B(name), B("pw-" + name));

    private UsersFileException OpenExpectingError(string content, int maxUsers = 10)
    {
        File.WriteAllText(_path, content);
        var open = () => OpenStore(maxUsers);
        return open.Should().Throw<UsersFileException>().Which;
    }

    [Test]
    public void Open_MissingFile_StartsEmptyAndCreatesNothing()
    {
        var store = OpenStore();

        store.Count.Should().Be(0);
        store.FilePath.Should().Be(_path);
        File.Exists(_path).Should().BeFalse();
        Directory.GetFileSystemEntries(_directory).Should().BeEmpty();
    }

    [Test]
    public void Open_RelativePath_ReportsFullPath()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, _path);

        UserStore.Open(relative).FilePath.Should().Be(_path);
    }

    [Test]
    public void Open_DirectoryMissing_ThrowsUsersFileExceptionNamingIt()
    {
        var path = Path.Combine(_directory, "absent", "users");

        var open = () => UserStore.Open(path);

        var error = open.Should().Throw<UsersFileException>().Which;
        error.Path.Should().Be(path);
        error.LineNumber.Should().BeNull();
        error.Message.Should().Be($"users file {path}: directory {Path.Combine(_directory, "absent")} does not exist");
    }

    [Test]
    public void Open_ParentIsRegularFile_ThrowsUsersFileException()
    {
        var parent = Path.Combine(_directory, "plain");
        File.WriteAllText(parent, "x");

        var open = () => UserStore.Open(Path.Combine(parent, "users"));

        open.Should().Throw<UsersFileException>().Which.Problem.Should().Contain("does not exist");
    }

    [Test]
    public void Open_PathIsDirectory_ThrowsUsersFileException()
    {
        var open = () => UserStore.Open(_directory);

        open.Should().Throw<UsersFileException>().Which.Message.Should().Be($"users file {_directory}: is a directory");
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void Open_LimitOutsideRange_ThrowsArgumentOutOfRange(int maxUsers)
    {
        var open = () => UserStore.Open(_path, maxUsers);

        open.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public async Task Open_LimitAbove255_LoadsMoreThan255Users()
    {
        File.WriteAllText(_path, Header + string.Concat(Enumerable.Range(0, 300).Select(i => Record(B("u" + i), B("p"), iterations: 1) + "\n")));

        var store = OpenStore(maxUsers: 300);

        store.Count.Should().Be(300);
        (await store.ValidateAsync(B("u299"), B("p"), CancellationToken.None)).Should().BeTrue();
    }

    [Test]
    public void Open_FileOfLongestRecordsAboveOneMebibyte_LoadsWhenTheLimitAllowsThatManyUsers()
    {
        // 2200 records of 255-byte names and 64-byte salts are over 1 MiB: the size limit grows with the user limit,
        // so whatever the store saves within its limit it can load again. (The records are only loaded, never checked.)
        var records = Enumerable.Range(0, 2200).Select(i =>
        {
            var name = new byte[255];
            BitConverter.TryWriteBytes(name, i);
            var salt = RandomNumberGenerator.GetBytes(64);
            var hash = Rfc2898DeriveBytes.Pbkdf2(B("p"), salt, 1, HashAlgorithmName.SHA256, 32);
            return $"{Convert.ToBase64String(name)}:pbkdf2-sha256:10000000:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}\n";
        });
        File.WriteAllText(_path, Header + string.Concat(records));
        new FileInfo(_path).Length.Should().BeGreaterThan(1 << 20);

        OpenStore(maxUsers: 2200).Count.Should().Be(2200);
        var tooSmall = () => OpenStore(maxUsers: 1000);
        tooSmall.Should().Throw<UsersFileException>().Which.Problem.Should().Be("is larger than 1048576 bytes");
    }

    [Test]
    public void Open_EmptyFile_StartsEmpty()
    {
        File.WriteAllBytes(_path, []);

        OpenStore().Count.Should().Be(0);
    }

    [Test]
    public void Open_FileLargerThanLimit_ThrowsWithoutLine()
    {
        File.WriteAllBytes(_path, new byte[(1 << 20) + 1]);

        var open = () => OpenStore();

        var error = open.Should().Throw<UsersFileException>().Which;
        error.LineNumber.Should().BeNull();
        error.Problem.Should().Be("is larger than 1048576 bytes");
    }

    [Test]
    public async Task Open_HandWrittenFileWithCommentsBlankLinesAndCrlf_LoadsInFileOrder()
    {
        byte[] odd = [0xFF, (byte)':', (byte)'\n', 0x00];
        File.WriteAllText(_path,
            "# users for the test proxy\r\n" +
            "\r\n" +
            "socks5d-users v1\r\n" +
            "  # indented comment \u00e9\r\n" +
            Record("zoe") + "\r\n" +
            "\t\r\n" +
            Record(odd, B("odd-pw"), iterations: 2_000) + "  \r\n" +
            Record("adam"));

        var store = OpenStore();

        store.ListUsers().Should().BeEquivalentTo(new[] { B("zoe"), odd, B("adam") }, o => o.WithStrictOrdering());
        (await store.ValidateAsync(B("zoe"), B("pw-zoe"), CancellationToken.None)).Should().BeTrue();
        (await store.ValidateAsync(odd, B("odd-pw"), CancellationToken.None)).Should().BeTrue();
        (await store.ValidateAsync(B("adam"), B("pw-zoe"), CancellationToken.None)).Should().BeFalse();
    }

    [Test]
    public void Open_FileAtLimit_LoadsAndRefusesOneMore()
    {
        File.WriteAllText(_path, Header + Record("a") + "\n" + Record("b") + "\n");

        var store = OpenStore(maxUsers: 2);

        store.Count.Should().Be(2);
        store.Add(B("c"), B("p")).Should().Be(UserChangeResult.UserLimit);
    }

    private static IEnumerable<TestCaseData> CorruptFiles()
    {
        var good = Record("alice");
        var salt = Convert.ToBase64String(new byte[16]);
        var hash = Convert.ToBase64String(new byte[32]);
        var name = Convert.ToBase64String(B("bob"));

        TestCaseData Case(string label, string content, int line, string problem) =>
            new TestCaseData(content, line, problem).SetArgDisplayNames(label);

        yield return Case("other format", "hello\n" + good + "\n", 1, "expected the header line 'socks5d-users v1'");
        yield return Case("future version", "socks5d-users v3\n" + good + "\n", 1, "unsupported format version (this socks5d reads 'socks5d-users v1' and 'socks5d-users v2')");
        yield return Case("record before header", "# c\n" + good + "\n", 2, "expected the header line 'socks5d-users v1'");
        yield return Case("bad base64 name", Header + good + "\n#\n" + $"bo*b:pbkdf2-sha256:1000:{salt}:{hash}\n", 4, "username is not valid base64");
        yield return Case("unpadded base64 name", Header + $"Ym9:pbkdf2-sha256:1000:{salt}:{hash}\n", 2, "username is not valid base64");
        yield return Case("space inside base64", Header + $"Ym9i Ym9i:pbkdf2-sha256:1000:{salt}:{hash}\n", 2, "username is not valid base64");
        yield return Case("empty name", Header + $":pbkdf2-sha256:1000:{salt}:{hash}\n", 2, "username is not valid base64");
        yield return Case("name too long", Header + $"{Convert.ToBase64String(new byte[256])}:pbkdf2-sha256:1000:{salt}:{hash}\n", 2, "username must be 1 to 255 bytes, is 256");
        yield return Case("bad salt base64", Header + $"{name}:pbkdf2-sha256:1000:{salt[..^2]}%%:{hash}\n", 2, "salt is not valid base64");
        yield return Case("short salt", Header + $"{name}:pbkdf2-sha256:1000:{Convert.ToBase64String(new byte[8])}:{hash}\n", 2, "salt must be 16 to 64 bytes, is 8");
        yield return Case("bad hash base64", Header + $"{name}:pbkdf2-sha256:1000:{salt}:{hash[1..]}\n", 2, "hash is not valid base64");
        yield return Case("short hash", Header + $"{name}:pbkdf2-sha256:1000:{salt}:{Convert.ToBase64String(new byte[31])}\n", 2, "hash must be 32 bytes, is 31");
        yield return Case("unknown algorithm", Header + $"{name}:md5:1000:{salt}:{hash}\n", 2, "unsupported hash algorithm (expected 'pbkdf2-sha256')");
        foreach (var iterations in new[] { "abc", "0", "-5", "+5", "10000001", "99999999999", "", "1 000", "1e3" })
        {
            yield return Case($"iterations '{iterations}'", Header + good + "\n" + $"{name}:pbkdf2-sha256:{iterations}:{salt}:{hash}\n", 3,
                "iteration count must be a whole number from 1 to 10000000");
        }

        yield return Case("truncated line", Header + good + "\n" + good[..(good.IndexOf(':', StringComparison.Ordinal) + 20)], 3,
            "incomplete record: 4 of 5 ':'-separated fields (<name>:pbkdf2-sha256:<iterations>:<salt>:<hash>)");
        yield return Case("truncated hash", Header + good + "\n" + Record("bob")[..^10], 3, "hash is not valid base64");
        yield return Case("name only", Header + name + "\n", 2,
            "incomplete record: 1 of 5 ':'-separated fields (<name>:pbkdf2-sha256:<iterations>:<salt>:<hash>)");
        yield return Case("extra field", Header + good + ":x\n", 2, "too many ':'-separated fields (6, expected 5)");
        yield return Case("duplicate user", Header + good + "\n\n" + Record("bob") + "\n" + Record("alice") + "\n", 5, "duplicate user (already defined on line 2)");
        yield return Case("non-ASCII in record", Header + good + "\u00e9\n", 2, "unexpected byte 0xC3 (records are printable ASCII)");
        yield return Case("control byte in record", Header + good[..5] + "\u0001" + good[5..] + "\n", 2, "unexpected byte 0x01 (records are printable ASCII)");
    }

    [TestCaseSource(nameof(CorruptFiles))]
    public void Open_CorruptFile_ThrowsUsersFileExceptionWithLine(string content, int line, string problem)
    {
        var error = OpenExpectingError(content);

        error.Path.Should().Be(_path);
        error.LineNumber.Should().Be(line);
        error.Problem.Should().Be(problem);
        error.Message.Should().Be($"users file {_path}: line {line}: {problem}");
    }

    [Test]
    public void Open_MoreUsersThanLimit_ThrowsNamingLimitAndLine()
    {
        var error = OpenExpectingError(Header + Record("a") + "\n# c\n" + Record("b") + "\n" + Record("c") + "\n", maxUsers: 2);

        error.LineNumber.Should().Be(5);
        error.Problem.Should().Be("more users than the limit of 2");
    }

    [Test]
    public void Open_CorruptFile_MessageIsOneLineWithoutSecrets()
    {
        var password = "hunter2-correct-horse";
        var good = Record(B("alice"), B(password));
        var error = OpenExpectingError(Header + good + "\n" + good.Replace(":pbkdf2-sha256:", ":PBKDF2:", StringComparison.Ordinal) + "\n");

        error.Message.Should().NotContain("\n").And.NotContain(password);
        var fields = good.Split(':');
        error.Message.Should().NotContain(fields[3]).And.NotContain(fields[4], "no hash material either");
    }

    [Test]
    public void Add_FileBacked_FileHoldsUserBeforeAddReturns()
    {
        var store = OpenStore();

        store.Add(B("alice"), B("secret")).Should().Be(UserChangeResult.Ok);

        var lines = File.ReadAllLines(_path);
        lines[0].Should().Be("socks5d-users v1");
        lines.Should().ContainSingle(l => l.StartsWith(Convert.ToBase64String(B("alice")) + ":pbkdf2-sha256:1000:", StringComparison.Ordinal));
    }

    [Test]
    public async Task Open_AfterChanges_SameUsersInSameOrderValidate()
    {
        byte[] odd = [0x00, (byte)':', (byte)'\n', (byte)'#', 0xFE];
        var store = OpenStore();
        store.Add(B("alice"), B("a-pw"));
        store.Add(odd, B("odd-pw"));
        store.Add(B("bob"), B("b-pw"));
        store.Remove(B("alice"));
        store.Add(B("carol"), B("c-pw"));

        var reopened = OpenStore();

        reopened.ListUsers().Should().BeEquivalentTo(new[] { odd, B("bob"), B("carol") }, o => o.WithStrictOrdering());
        (await reopened.ValidateAsync(odd, B("odd-pw"), CancellationToken.None)).Should().BeTrue();
        (await reopened.ValidateAsync(B("bob"), B("b-pw"), CancellationToken.None)).Should().BeTrue();
        (await reopened.ValidateAsync(B("carol"), B("c-pw"), CancellationToken.None)).Should().BeTrue();
        (await reopened.ValidateAsync(B("carol"), B("b-pw"), CancellationToken.None)).Should().BeFalse();
        (await reopened.ValidateAsync(B("alice"), B("a-pw"), CancellationToken.None)).Should().BeFalse();
    }

    [Test]
    public async Task ValidateAsync_LoadedUser_DerivesOnceThenUsesCache()
    {
        File.WriteAllText(_path, Header + Record("alice") + "\n");
        var store = OpenStore();
        store.DerivationCount.Should().Be(0);

        (await store.ValidateAsync(B("alice"), B("pw-alice"), CancellationToken.None)).Should().BeTrue();
        store.DerivationCount.Should().Be(1);

        (await store.ValidateAsync(B("alice"), B("pw-alice"), CancellationToken.None)).Should().BeTrue();
        (await store.ValidateAsync(B("alice"), B("wrong"), CancellationToken.None)).Should().BeFalse();
        store.DerivationCount.Should().Be(1, "once verified, right and wrong passwords cost one HMAC");
    }

    [Test]
    public async Task ValidateAsync_LoadedUserRepeatedWrongPassword_DerivesOncePerDistinctPassword()
    {
        File.WriteAllText(_path, Header + Record("alice") + "\n");
        var store = OpenStore();

        (await store.ValidateAsync(B("alice"), B("wrong1"), CancellationToken.None)).Should().BeFalse();
        (await store.ValidateAsync(B("alice"), B("wrong1"), CancellationToken.None)).Should().BeFalse();
        store.DerivationCount.Should().Be(1, "a repeated failure is answered from the failure cache");

        (await store.ValidateAsync(B("alice"), B("wrong2"), CancellationToken.None)).Should().BeFalse();
        store.DerivationCount.Should().Be(2);

        (await store.ValidateAsync(B("alice"), B("pw-alice"), CancellationToken.None)).Should().BeTrue();
        store.DerivationCount.Should().Be(3);
    }

    [Test]
    public async Task ValidateAsync_ManyConcurrentChecksOfUncachedUser_DeriveOnce()
    {
        File.WriteAllText(_path, Header + Record("alice") + "\n");
        var store = OpenStore(options: SerialHashing);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Task.Run(async () => await store.ValidateAsync(B("alice"), B("pw-alice"), CancellationToken.None))));

        results.Should().AllSatisfy(r => r.Should().BeTrue());
        store.DerivationCount.Should().Be(1, "waiting checks find the verifier cached by the first");
    }

    [Test]
    public async Task ValidateAsync_ManyConcurrentIdenticalWrongChecks_DeriveOnce()
    {
        File.WriteAllText(_path, Header + Record("alice") + "\n");
        var store = OpenStore(options: SerialHashing);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Task.Run(async () => await store.ValidateAsync(B("alice"), B("guess"), CancellationToken.None))));

        results.Should().AllSatisfy(r => r.Should().BeFalse());
        store.DerivationCount.Should().Be(1, "waiting checks find the failure cached by the first");
    }

    [Test]
    public async Task ValidateAsync_WrongPasswordCachedThenUserReAdded_NewPasswordAccepted()
    {
        File.WriteAllText(_path, Header + Record("alice") + "\n");
        var store = OpenStore();
        (await store.ValidateAsync(B("alice"), B("next"), CancellationToken.None)).Should().BeFalse();

        store.Remove(B("alice"));
        store.Add(B("alice"), B("next"));

        (await store.ValidateAsync(B("alice"), B("next"), CancellationToken.None)).Should().BeTrue();
    }

    [Test]
    [Platform(Exclude = "Win")]
    [UnsupportedOSPlatform("windows")]
    public void Add_FileBacked_FileModeIs0600()
    {
        var store = OpenStore();

        store.Add(B("alice"), B("secret"));

        File.GetUnixFileMode(_path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Test]
    [Platform(Exclude = "Win")]
    [UnsupportedOSPlatform("windows")]
    public void Add_ExistingWorldReadableFile_ReplacedWith0600()
    {
        File.WriteAllText(_path, Header);
        File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var store = OpenStore();

        store.Add(B("alice"), B("secret"));

        File.GetUnixFileMode(_path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Test]
    public void Add_FileBacked_NoClearTextPasswordInFile()
    {
        var store = OpenStore();
        var password = B("CorrectHorseBatteryStaple");

        store.Add(B("alice"), password);

        var content = File.ReadAllBytes(_path);
        content.AsSpan().IndexOf(password).Should().Be(-1);
        content.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToBase64String(password))).Should().Be(-1);
        content.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToHexString(password))).Should().Be(-1);
        content.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(password))).Should().Be(-1);
    }

    [Test]
    public void Add_SamePasswordTwice_DifferentSaltsAndHashes()
    {
        var store = OpenStore();

        store.Add(B("alice"), B("same"));
        store.Add(B("bob"), B("same"));

        var records = File.ReadAllLines(_path).Where(l => !l.StartsWith('#') && l.Contains(":pbkdf2-sha256:", StringComparison.Ordinal)).Select(l => l.Split(':')).ToArray();
        records.Should().HaveCount(2);
        records[0][3].Should().NotBe(records[1][3]);
        records[0][4].Should().NotBe(records[1][4]);
        Convert.FromBase64String(records[0][3]).Should().HaveCount(16);
    }

    [Test]
    public async Task Add_DefaultCost_WritesIterationCount600000()
    {
        var store = UserStore.Open(_path);

        store.Add(B("alice"), B("secret"));

        File.ReadAllText(_path).Should().Contain(":pbkdf2-sha256:600000:");
        var reopened = UserStore.Open(_path);
        (await reopened.ValidateAsync(B("alice"), B("secret"), CancellationToken.None)).Should().BeTrue();
    }

    [Test]
    public void AddAndRemove_ManyWrites_LeaveNoTemporaryFile()
    {
        var store = OpenStore();

        for (var i = 0; i < 5; i++)
        {
            store.Add(B("u" + i), B("p"));
        }

        store.Remove(B("u2"));

        Directory.GetFileSystemEntries(_directory).Should().Equal(_path);
    }

    [Test]
    public async Task Add_SaveFails_ThrowsIOExceptionAndChangesNothing()
    {
        var store = OpenStore();
        store.Add(B("alice"), B("a-pw"));
        Directory.Delete(_directory, recursive: true);

        var add = () => store.Add(B("bob"), B("b-pw"));

        add.Should().Throw<IOException>().Which.Message.Should().StartWith($"users file {_path}: cannot save: ");
        store.Count.Should().Be(1);
        store.ListUsers().Should().BeEquivalentTo(new[] { B("alice") });
        (await store.ValidateAsync(B("bob"), B("b-pw"), CancellationToken.None)).Should().BeFalse();
        (await store.ValidateAsync(B("alice"), B("a-pw"), CancellationToken.None)).Should().BeTrue();
    }

    [Test]
    public async Task Remove_SaveFails_ThrowsIOExceptionKeepsUserAndRaisesNothing()
    {
        var store = OpenStore();
        store.Add(B("alice"), B("a-pw"));
        var raised = 0;
        store.UserRemoved += (_, _) => raised++;
        Directory.Delete(_directory, recursive: true);

        var remove = () => store.Remove(B("alice"));

        remove.Should().Throw<IOException>();
        raised.Should().Be(0);
        store.ListUsers().Should().BeEquivalentTo(new[] { B("alice") });
        (await store.ValidateAsync(B("alice"), B("a-pw"), CancellationToken.None)).Should().BeTrue();
    }

    [Test]
    public void Add_AfterFailedSaveDirectoryBack_SavesWholeState()
    {
        var store = OpenStore();
        store.Add(B("alice"), B("a-pw"));
        Directory.Delete(_directory, recursive: true);
        var failed = () => store.Add(B("bob"), B("b-pw"));
        failed.Should().Throw<IOException>();
        Directory.CreateDirectory(_directory);

        store.Add(B("carol"), B("c-pw")).Should().Be(UserChangeResult.Ok);

        OpenStore().ListUsers().Should().BeEquivalentTo(new[] { B("alice"), B("carol") }, o => o.WithStrictOrdering());
    }

    [Test]
    public void Add_SaveFailsAtLimitMinusOne_SlotStillFree()
    {
        var store = OpenStore(maxUsers: 1);
        Directory.Delete(_directory, recursive: true);
        var failed = () => store.Add(B("alice"), B("p"));
        failed.Should().Throw<IOException>();
        Directory.CreateDirectory(_directory);

        store.Add(B("bob"), B("p")).Should().Be(UserChangeResult.Ok);
    }

    [Test]
    public async Task Add_DirectorySyncFails_ReturnsOkKeepsTheUserAndLogsOneWarning()
    {
        var logger = new CapturingLogger();
        var store = UserStore.Open(_path, 10, FastHashing with { SyncDirectory = _ => "Input/output error" }, logger);

        store.Add(B("alice"), B("a-pw")).Should().Be(UserChangeResult.Ok);

        store.ListUsers().Should().BeEquivalentTo(new[] { B("alice") });
        (await store.ValidateAsync(B("alice"), B("a-pw"), CancellationToken.None)).Should().BeTrue();
        OpenStore().ListUsers().Should().BeEquivalentTo(new[] { B("alice") }, "the rename had succeeded: the file has the user");
        var warning = logger.Entries.Should().ContainSingle().Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.EventId.Should().Be(700);
        warning.Message.Should().Be(
            $"users file {_path}: saved, but syncing directory {_directory} failed: Input/output error; " +
            "the change is made (in the file and in memory) but might not survive a crash");
        store.Add(B("alice"), B("a-pw")).Should().Be(UserChangeResult.UserExists, "a retry finds the user, as the OK said");
    }

    [Test]
    public async Task RemoveAsync_DirectorySyncFails_ReturnsOkRemovesRaisesAndLogsOneWarning()
    {
        var logger = new CapturingLogger();
        var syncFails = false;
        var store = UserStore.Open(_path, 10, FastHashing with { SyncDirectory = _ => syncFails ? "Input/output error" : null }, logger);
        store.Add(B("alice"), B("a-pw"));
        var raised = 0;
        store.UserRemoved += (_, _) => raised++;
        syncFails = true;

        (await store.RemoveAsync(B("alice"), CancellationToken.None)).Should().Be(UserChangeResult.Ok);

        raised.Should().Be(1);
        store.Count.Should().Be(0);
        OpenStore().Count.Should().Be(0);
        logger.Entries.Should().ContainSingle().Which.Level.Should().Be(LogLevel.Warning);
    }

    [Test]
    public void Add_DirectorySyncSucceeds_LogsNothing()
    {
        var logger = new CapturingLogger();
        var synced = new List<string>();
        var store = UserStore.Open(_path, 10, FastHashing with { SyncDirectory = d => { synced.Add(d); return null; } }, logger);

        store.Add(B("alice"), B("a-pw")).Should().Be(UserChangeResult.Ok);
        store.AddTemporary(B("cli"), B("p")).Should().Be(UserChangeResult.Ok);

        synced.Should().Equal(_directory);
        logger.Entries.Should().BeEmpty();
    }

    [Test]
    public async Task AddAsync_SaveFails_ThrowsIOExceptionAndChangesNothing()
    {
        var store = OpenStore();
        Directory.Delete(_directory, recursive: true);

        var add = async () => await store.AddAsync(B("bob"), B("b-pw"), CancellationToken.None);

        (await add.Should().ThrowAsync<IOException>()).Which.Message.Should().StartWith($"users file {_path}: cannot save: ");
        store.Count.Should().Be(0);
    }

    [Test]
    public async Task AddTemporary_FileBacked_CountsButIsNeverSaved()
    {
        var store = OpenStore(maxUsers: 2);
        store.Add(B("alice"), B("a-pw"));

        store.AddTemporary(B("cli"), B("cli-pw")).Should().Be(UserChangeResult.Ok);

        store.Count.Should().Be(2);
        store.Add(B("bob"), B("b-pw")).Should().Be(UserChangeResult.UserLimit);
        (await store.ValidateAsync(B("cli"), B("cli-pw"), CancellationToken.None)).Should().BeTrue();
        File.ReadAllText(_path).Should().NotContain(Convert.ToBase64String(B("cli")));
        OpenStore().ListUsers().Should().BeEquivalentTo(new[] { B("alice") });
    }

    [Test]
    public void AddTemporary_NameInFile_ReturnsUserExists()
    {
        File.WriteAllText(_path, Header + Record("alice") + "\n");
        var store = OpenStore();

        store.AddTemporary(B("alice"), B("other")).Should().Be(UserChangeResult.UserExists);
    }

    [Test]
    public void AddTemporary_ThenSavedChange_FileStillWithoutTemporaryUser()
    {
        var store = OpenStore();
        store.AddTemporary(B("cli"), B("p")).Should().Be(UserChangeResult.Ok);
        File.Exists(_path).Should().BeFalse("adding a temporary user writes nothing");

        store.Add(B("alice"), B("p"));
        store.Remove(B("alice"));

        OpenStore().Count.Should().Be(0);
        store.ListUsers().Should().BeEquivalentTo(new[] { B("cli") });
    }

    [Test]
    public void Remove_TemporaryUser_WritesNothing()
    {
        var store = OpenStore();
        store.AddTemporary(B("cli"), B("p"));
        var removed = 0;
        store.UserRemoved += (_, _) => removed++;
        Directory.Delete(_directory, recursive: true);

        store.Remove(B("cli")).Should().Be(UserChangeResult.Ok, "nothing needs saving, so the missing directory does not matter");

        removed.Should().Be(1);
        store.Count.Should().Be(0);
    }

    [Test]
    public async Task ValidateAsync_WhileFileBackedUsersChange_StableUserAlwaysValidates()
    {
        File.WriteAllText(_path, Header + Record("stable") + "\n");
        var store = OpenStore();
        const int Rounds = 40;
        var done = 0;

        var changer = Task.Run(() =>
        {
            for (var i = 0; i < Rounds; i++)
            {
                store.Add(B("churn"), B("p" + i)).Should().Be(UserChangeResult.Ok);
                store.Remove(B("churn")).Should().Be(UserChangeResult.Ok);
            }

            Volatile.Write(ref done, 1);
        });
        var validator = Task.Run(async () =>
        {
            var checks = 0;
            while (Volatile.Read(ref done) == 0 || checks < 50)
            {
                (await store.ValidateAsync(B("stable"), B("pw-stable"), CancellationToken.None)).Should().BeTrue();
                checks++;
            }
        });

        await Task.WhenAll(changer, validator);

        OpenStore().ListUsers().Should().BeEquivalentTo(new[] { B("stable") });
        Directory.GetFileSystemEntries(_directory).Should().Equal(_path);
    }
}
