using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Socks.Core.AccessLog;
using Socks.Core.Tests.Server.Infrastructure;
using Socks.Core.Users;
using Socks.Core.Users.Verification;

namespace Socks.Core.Tests.Users;

/// <summary>
/// Issue 18, item 2: password guessing against a users-file user not verified since the start must not pin a core,
/// starve other users' logins, cost CPU for clients that left, or go on unthrottled from one address. Real SOCKS
/// clients on loopback against an in-process server; derivations are real PBKDF2 (cheap iterations), held open
/// through the verifier's hook so that every step is deterministic.
/// </summary>
[TestFixture]
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class PasswordGuessingTests
{
    private const int Iterations = 1_000;
    private static readonly IPAddress Guesser = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.3");

    private string _directory = "";

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("socks5d-guessing-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Guessing_FiftyWrongPasswordsForOneFileUser_OneDerivationAtATimeAndTheRestQueuedOrRefusedAtOnce()
    {
        // Two global slots: without the per-user bound one user's guesses would take both.
        var store = OpenFileStore(new UserStoreOptions { MaxConcurrentDerivations = 2, FailureLimit = 0 }, "alice");
        using var hold = new DerivationHold(store);
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = store, AccessLog = log });

        var attempts = Enumerable.Range(0, 50).Select(i => AuthenticateAsync(harness.EndPoint, "alice", $"wrong{i}")).ToList();
        await hold.WaitForStartedAsync(1);

        // 1 running + 4 waiting for alice; the other 45 are answered X'01' at once, while the one derivation is held.
        var perUser = PasswordVerifier.DefaultMaxQueuedPerUser;
        var refusedAtOnce = attempts.Count - 1 - perUser;
        await WaitForCompletedAsync(attempts, refusedAtOnce);
        attempts.Where(a => a.IsCompleted).Select(a => a.Result).Should().AllBeEquivalentTo((byte?)0x01);
        store.Verifier.QueuedCount.Should().Be(1 + perUser);

        hold.ReleaseAll();
        (await Task.WhenAll(attempts)).Should().AllBeEquivalentTo((byte?)0x01);
        store.DerivationCount.Should().Be(1 + perUser, "only the queued guesses were derived");
        store.Verifier.PeakConcurrentDerivations.Should().Be(1, "one user's guesses derive one at a time");
        store.Verifier.RejectedCount.Should().Be(refusedAtOnce);
        store.Verifier.QueuedCount.Should().Be(0);
    }

    [Test]
    public async Task Guessing_OneUserFloodsTheOnlySlot_AnotherUsersFirstLoginWaitsForOneDerivationOnly()
    {
        var store = OpenFileStore(
            new UserStoreOptions { MaxConcurrentDerivations = 1, MaxQueuedDerivationsPerUser = 64, MaxQueuedDerivations = 128, FailureLimit = 0 },
            "alice",
            "bob");
        var alice = store.HashOf("alice"u8)!;
        using var hold = new DerivationHold(store, only: alice);
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = store, AccessLog = log });

        var guesses = Enumerable.Range(0, 50).Select(i => AuthenticateAsync(harness.EndPoint, "alice", $"wrong{i}")).ToList();
        await hold.WaitForStartedAsync(1);
        await WaitUntilAsync(() => store.Verifier.QueuedCount == 50);

        var bob = AuthenticateAsync(harness.EndPoint, "bob", "pw-bob");
        await WaitUntilAsync(() => store.Verifier.QueuedCount == 51);

        // One alice derivation finishes: the slot goes to bob (first come, first served among users), not to
        // alice's next guess, which is held and would keep bob waiting.
        hold.Release(1);
        (await bob.WaitAsync(TestTimeouts.Generous)).Should().Be(0x00);
        hold.StartedCount.Should().BeLessThanOrEqualTo(2, "bob waited for at most one more alice derivation");

        hold.ReleaseAll();
        (await Task.WhenAll(guesses)).Should().AllBeEquivalentTo((byte?)0x01);
        store.DerivationCount.Should().Be(51);
    }

    [Test]
    public async Task Burst_TwentyRightLoginsOfAFileUserAtOnce_OneDerivationAndAllSucceedDespiteTheQueueBound()
    {
        var store = OpenFileStore(new UserStoreOptions { MaxConcurrentDerivations = 1, FailureLimit = 0 }, "alice");
        using var hold = new DerivationHold(store);
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = store, AccessLog = log });

        var first = AuthenticateAsync(harness.EndPoint, "alice", "pw-alice");
        await hold.WaitForStartedAsync(1);
        var rest = Enumerable.Range(0, 19).Select(_ => AuthenticateAsync(harness.EndPoint, "alice", "pw-alice")).ToList();

        // Every attempt joins the one pending check (one queue place), however many there are.
        await WaitUntilAsync(() => store.Verifier.WaitingCount == 20);
        store.Verifier.QueuedCount.Should().Be(1);
        hold.ReleaseAll();
        (await Task.WhenAll(rest.Append(first))).Should().AllBeEquivalentTo((byte?)0x00);
        store.DerivationCount.Should().Be(1);
        store.Verifier.RejectedCount.Should().Be(0);
    }

    [Test]
    public async Task Guessing_ClientClosesWhileItsCheckWaits_CheckDroppedWithoutDerivation()
    {
        var store = OpenFileStore(new UserStoreOptions { MaxConcurrentDerivations = 1, FailureLimit = 0 }, "alice");
        using var hold = new DerivationHold(store);
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = store, AccessLog = log });

        var first = AuthenticateAsync(harness.EndPoint, "alice", "wrong1");
        await hold.WaitForStartedAsync(1);
        using (var leaving = await SocksTestClient.ConnectAsync(harness.EndPoint))
        {
            await leaving.SendAsync([0x05, 0x01, 0x02, .. SocksTestClient.UsernamePassword("alice", "wrong2")]);
            (await leaving.ReceiveExactlyAsync(2)).Should().Equal(0x05, 0x02);
            await WaitUntilAsync(() => store.Verifier.QueuedCount == 2);
        }

        // The client's FIN reaches the session, which drops its waiting check before it derives.
        await harness.AccessLog.WaitForCountAsync(1);
        harness.AccessLog.Records.Single().EndReason.Should().Be(AccessLogEndReason.ClientClosed);
        await WaitUntilAsync(() => store.Verifier.QueuedCount == 1);

        hold.ReleaseAll();
        (await first).Should().Be(0x01);
        store.DerivationCount.Should().Be(1, "the check of the client that left never derived");
    }

    [Test]
    public async Task Guessing_HandshakeDeadlinePassesWhileTheCheckWaits_CheckDroppedWithoutDerivation()
    {
        var clock = new ManualTimeProvider();
        var store = OpenFileStore(new UserStoreOptions { MaxConcurrentDerivations = 1, FailureLimit = 0 }, "alice");
        using var hold = new DerivationHold(store);
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = store, AccessLog = log, TimeProvider = clock });

        var first = AuthenticateAsync(harness.EndPoint, "alice", "wrong1");
        await hold.WaitForStartedAsync(1);
        using var late = await SocksTestClient.ConnectAsync(harness.EndPoint);
        await late.SendAsync([0x05, 0x01, 0x02, .. SocksTestClient.UsernamePassword("alice", "wrong2")]);
        await WaitUntilAsync(() => store.Verifier.QueuedCount == 2);

        // Both sessions time out; the running derivation finishes, the waiting one never starts.
        clock.Advance(SocksServerOptions.DefaultHandshakeTimeout);
        await WaitUntilAsync(() => store.Verifier.QueuedCount == 1);
        hold.ReleaseAll();
        await harness.AccessLog.WaitForCountAsync(2);
        harness.AccessLog.Records.Select(r => r.EndReason).Should().AllBeEquivalentTo(AccessLogEndReason.HandshakeTimeout);
        await AbandonedAsync(first);
        store.DerivationCount.Should().Be(1);
    }

    [Test]
    public async Task Throttle_FiveFailuresFromOneAddress_ItsNextAttemptsDeriveNothingWhileAnotherAddressLogsIn()
    {
        var clock = new ManualTimeProvider();
        var logger = new CapturingLogger();
        var options = new UserStoreOptions { Iterations = Iterations };
        var store = OpenFileStore(options, logger, "alice", "bob");
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = store, AccessLog = log, TimeProvider = clock });

        for (var i = 0; i < UserStoreOptions.DefaultFailureLimit; i++)
        {
            (await AuthenticateAsync(harness.EndPoint, "alice", $"wrong{i}", Guesser)).Should().Be(0x01);
        }

        store.DerivationCount.Should().Be(UserStoreOptions.DefaultFailureLimit);
        var throttled = logger.AtLevel(LogLevel.Warning).Should().ContainSingle().Which;
        throttled.EventId.Should().Be(701);
        throttled.Message.Should().Contain("127.0.0.2").And.Contain("00:05:00");

        // Throttled: even the right password is refused, and costs no derivation.
        (await AuthenticateAsync(harness.EndPoint, "alice", "another-guess", Guesser)).Should().Be(0x01);
        (await AuthenticateAsync(harness.EndPoint, "alice", "pw-alice", Guesser)).Should().Be(0x01);
        store.DerivationCount.Should().Be(UserStoreOptions.DefaultFailureLimit);

        // Another address is not affected, for the same user and another.
        (await AuthenticateAsync(harness.EndPoint, "alice", "pw-alice", Other)).Should().Be(0x00);
        (await AuthenticateAsync(harness.EndPoint, "bob", "pw-bob", Other)).Should().Be(0x00);
        store.DerivationCount.Should().Be(UserStoreOptions.DefaultFailureLimit + 2);

        // Just before the back-off ends the address is still refused; at its end it may log in again.
        clock.Advance(options.FailureBackoff - TimeSpan.FromSeconds(1));
        (await AuthenticateAsync(harness.EndPoint, "alice", "pw-alice", Guesser)).Should().Be(0x01);
        clock.Advance(TimeSpan.FromSeconds(1));
        (await AuthenticateAsync(harness.EndPoint, "alice", "pw-alice", Guesser)).Should().Be(0x00);
        logger.AtLevel(LogLevel.Warning).Should().ContainSingle("one warning when the address was throttled");
    }

    [Test]
    public async Task Throttle_FailuresSpreadOverMoreThanTheWindow_DoNotBlock()
    {
        var clock = new ManualTimeProvider();
        var options = new UserStoreOptions { Iterations = Iterations };
        var store = OpenFileStore(options, "alice");
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = store, AccessLog = log, TimeProvider = clock });

        for (var i = 0; i < 3 * UserStoreOptions.DefaultFailureLimit; i++)
        {
            (await AuthenticateAsync(harness.EndPoint, "alice", $"wrong{i}", Guesser)).Should().Be(0x01);
            clock.Advance(options.FailureWindow / (UserStoreOptions.DefaultFailureLimit - 1));
        }

        (await AuthenticateAsync(harness.EndPoint, "alice", "pw-alice", Guesser)).Should().Be(0x00);
    }

    private UserStore OpenFileStore(UserStoreOptions options, params string[] users) => OpenFileStore(options, logger: null, users);

    /// <summary>A store loaded from a users file: its users' passwords are unknown until a first PBKDF2 check.</summary>
    private UserStore OpenFileStore(UserStoreOptions options, ILogger? logger, params string[] users)
    {
        var path = Path.Combine(_directory, "users");
        var lines = users.Select(static name =>
        {
            var salt = RandomNumberGenerator.GetBytes(16);
            var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes("pw-" + name), salt, Iterations, HashAlgorithmName.SHA256, 32);
            return $"{Convert.ToBase64String(Encoding.UTF8.GetBytes(name))}:pbkdf2-sha256:{Iterations}:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}\n";
        });
        File.WriteAllText(path, "socks5d-users v1\n" + string.Concat(lines));
        var store = UserStore.Open(path, UserStore.DefaultMaxUsers, options with { Iterations = Iterations }, logger);
        store.HashOf(Encoding.UTF8.GetBytes(users[0]))!.Verifier.Should().BeNull("a file user is not verified yet");
        return store;
    }

    private static async Task<byte?> AuthenticateAsync(IPEndPoint server, string user, string password, IPAddress? from = null)
    {
        using var client = await SocksTestClient.ConnectAsync(server, from);
        return await client.AuthenticateAsync(user, password);
    }

    /// <summary>Awaits a client whose session the server aborted: it sees EOF or a reset, both fine here.</summary>
    private static async Task AbandonedAsync(Task<byte?> attempt)
    {
        try
        {
            (await attempt).Should().BeNull("the session timed out before answering");
        }
        catch (System.Net.Sockets.SocketException)
        {
            // Reset: the server closed under its pending peek.
        }
    }

    private static async Task WaitForCompletedAsync(IReadOnlyList<Task<byte?>> attempts, int count)
    {
        await WaitUntilAsync(() => attempts.Count(a => a.IsCompleted) >= count);
        attempts.Count(a => a.IsCompleted).Should().Be(count);
    }

    /// <summary>Polls a condition of the server's state; the timeout is only an upper bound.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Generous);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    /// <summary>Holds derivations (all, or one record's) open in the verifier's hook until released.</summary>
    private sealed class DerivationHold : IDisposable
    {
        private readonly PasswordVerifier _verifier;
        private readonly PasswordHash? _only;
        private readonly SemaphoreSlim _release = new(0);
        private readonly SemaphoreSlim _started = new(0);
        private int _startedCount;

        public DerivationHold(UserStore store, PasswordHash? only = null)
        {
            _verifier = store.Verifier;
            _only = only;
            _verifier.DerivationStarting = Hold;
        }

        public int StartedCount => Volatile.Read(ref _startedCount);

        public async Task WaitForStartedAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                (await _started.WaitAsync(TestTimeouts.Generous)).Should().BeTrue("a derivation starts");
            }
        }

        public void Release(int count) => _release.Release(count);

        public void ReleaseAll() => _release.Release(10_000);

        public void Dispose()
        {
            _verifier.DerivationStarting = null;
            ReleaseAll();
        }

        private void Hold(PasswordHash record)
        {
            if (_only is not null && !ReferenceEquals(record, _only))
            {
                return;
            }

            Interlocked.Increment(ref _startedCount);
            _started.Release();
            _release.Wait(TestTimeouts.Generous).Should().BeTrue("the test releases the derivation");
        }
    }
}
