using System.Security.Cryptography;
using Socks.Core.Users.Verification;
using static Socks.Core.Tests.Users.UserStoreTests;

namespace Socks.Core.Tests.Users.Verification;

/// <summary>The verification piece on its own, as a store other than UserStore would use it.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class PasswordVerifierTests
{
    private const int CheapIterations = 1_000;

    private static PasswordVerifier NewVerifier(int maxConcurrentDerivations = 1) => new(CheapIterations, maxConcurrentDerivations);

    /// <summary>A record as another store would rebuild it from its own storage (docs/users-file.md fields).</summary>
    private static PasswordHash Stored(string password, int iterations = CheapIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(B(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return new PasswordHash(iterations, salt, hash);
    }

    [Test]
    public void Constructor_Default_HalfTheCoresAndOwaspIterations()
    {
        var verifier = new PasswordVerifier();

        verifier.MaxConcurrentDerivations.Should().Be(Math.Max(1, Environment.ProcessorCount / 2));
        verifier.Iterations.Should().Be(600_000);
        PasswordVerifier.FailureCacheSlots.Should().Be(1024);
    }

    [Test]
    public async Task VerifyAsync_StoredRecord_DerivesOnceThenAnswersFromTheVerifier()
    {
        var verifier = NewVerifier();
        var stored = Stored("right");

        (await verifier.VerifyAsync(stored, B("right"), CancellationToken.None)).Should().BeTrue();
        verifier.DerivationCount.Should().Be(1);

        (await verifier.VerifyAsync(stored, B("right"), CancellationToken.None)).Should().BeTrue();
        (await verifier.VerifyAsync(stored, B("wrong"), CancellationToken.None)).Should().BeFalse();
        (await verifier.VerifyAsync(stored, B("righ"), CancellationToken.None)).Should().BeFalse();
        verifier.DerivationCount.Should().Be(1, "once verified, right and wrong passwords cost one HMAC");
    }

    [Test]
    public async Task VerifyAsync_RepeatedWrongPassword_DerivesOncePerDistinctPassword()
    {
        var verifier = NewVerifier();
        var stored = Stored("right");

        (await verifier.VerifyAsync(stored, B("wrong1"), CancellationToken.None)).Should().BeFalse();
        (await verifier.VerifyAsync(stored, B("wrong1"), CancellationToken.None)).Should().BeFalse();
        verifier.DerivationCount.Should().Be(1, "a repeated failure is answered from the failure cache");

        (await verifier.VerifyAsync(stored, B("wrong2"), CancellationToken.None)).Should().BeFalse();
        (await verifier.VerifyAsync(stored, B("right"), CancellationToken.None)).Should().BeTrue();
        verifier.DerivationCount.Should().Be(3);
    }

    [Test]
    public async Task VerifyAsync_FailureCachedForOneRecord_NewRecordWithSameValuesDerivesAgain()
    {
        var verifier = NewVerifier();
        var first = Stored("right");
        (await verifier.VerifyAsync(first, B("guess"), CancellationToken.None)).Should().BeFalse();

        var second = new PasswordHash(first.Iterations, first.Salt.Span, first.Hash.Span);
        (await verifier.VerifyAsync(second, B("guess"), CancellationToken.None)).Should().BeFalse();

        verifier.DerivationCount.Should().Be(2, "failure-cache entries die with their record (its nonce)");
    }

    [Test]
    public async Task VerifyAsync_UnknownUser_FalseWithoutDerivation()
    {
        var verifier = NewVerifier();

        (await verifier.VerifyAsync(null, B("anything"), CancellationToken.None)).Should().BeFalse();

        verifier.DerivationCount.Should().Be(0);
    }

    [TestCase("right", true, TestName = "VerifyAsync_BurstOfIdenticalRightChecks_DerivesOnce")]
    [TestCase("guess", false, TestName = "VerifyAsync_BurstOfIdenticalWrongChecks_DerivesOnce")]
    public async Task VerifyAsync_BurstOfIdenticalChecks_DerivesOnce(string password, bool expected)
    {
        var verifier = NewVerifier(maxConcurrentDerivations: 1);
        var stored = Stored("right");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Task.Run(async () => await verifier.VerifyAsync(stored, B(password), CancellationToken.None))));

        results.Should().AllSatisfy(r => r.Should().Be(expected));
        verifier.DerivationCount.Should().Be(1, "checks that waited for the slot find the verifier or failure cached by the first");
    }

    [TestCase(0)]
    [TestCase(256)]
    public async Task VerifyAsync_PasswordOfBadLength_FalseWithoutDerivation(int length)
    {
        var verifier = NewVerifier();

        (await verifier.VerifyAsync(Stored("right"), new byte[length], CancellationToken.None)).Should().BeFalse();

        verifier.DerivationCount.Should().Be(0);
    }

    [Test]
    public async Task VerifyAsync_PasswordOfMaximumLength_Verifies()
    {
        var verifier = NewVerifier();
        var password = new string('p', 255);
        var stored = Stored(password);

        (await verifier.VerifyAsync(stored, B(new string('q', 255)), CancellationToken.None)).Should().BeFalse();
        (await verifier.VerifyAsync(stored, B(new string('q', 255)), CancellationToken.None)).Should().BeFalse();
        (await verifier.VerifyAsync(stored, B(password), CancellationToken.None)).Should().BeTrue();
        verifier.DerivationCount.Should().Be(2, "the failure cache keys the whole 255-byte password");
    }

    [Test]
    public async Task VerifyAsync_CancelledToken_IsCancelled()
    {
        var verifier = NewVerifier();

        var verify = async () => await verifier.VerifyAsync(Stored("right"), B("right"), new CancellationToken(canceled: true));

        await verify.Should().ThrowAsync<OperationCanceledException>();
        verifier.DerivationCount.Should().Be(0);
    }

    [Test]
    public async Task CreateHash_ClearPasswordKnown_VerifiesWithoutFurtherDerivation()
    {
        var verifier = NewVerifier();

        var stored = verifier.CreateHash(B("secret"));

        stored.Iterations.Should().Be(CheapIterations);
        stored.Salt.Length.Should().Be(16);
        Rfc2898DeriveBytes.Pbkdf2(B("secret"), stored.Salt.Span, CheapIterations, HashAlgorithmName.SHA256, 32).Should().Equal(stored.Hash.ToArray());
        (await verifier.VerifyAsync(stored, B("secret"), CancellationToken.None)).Should().BeTrue();
        (await verifier.VerifyAsync(stored, B("Secret"), CancellationToken.None)).Should().BeFalse();
        verifier.DerivationCount.Should().Be(1, "only CreateHash derived");
    }

    [Test]
    public async Task CreateHash_SamePasswordTwice_DifferentSaltsAndHashes()
    {
        var verifier = NewVerifier();

        var first = verifier.CreateHash(B("same"));
        var second = verifier.CreateHash(B("same"));

        first.Salt.ToArray().Should().NotEqual(second.Salt.ToArray());
        first.Hash.ToArray().Should().NotEqual(second.Hash.ToArray());
        (await verifier.VerifyAsync(second, B("same"), CancellationToken.None)).Should().BeTrue();
    }

    [TestCase(0)]
    [TestCase(256)]
    public void CreateHash_PasswordOfBadLength_ThrowsArgumentException(int length)
    {
        var create = () => NewVerifier().CreateHash(new byte[length]);

        create.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("password");
    }

    [Test]
    public async Task VerifyAsync_RecordVerifiedByAnotherVerifier_UsesItsCachedVerifier()
    {
        var first = NewVerifier();
        var second = NewVerifier();
        var stored = first.CreateHash(B("secret"));

        (await second.VerifyAsync(stored, B("secret"), CancellationToken.None)).Should().BeTrue();
        (await second.VerifyAsync(stored, B("wrong"), CancellationToken.None)).Should().BeFalse();

        second.DerivationCount.Should().Be(0, "the verifier key is one per process");
    }

    [Test]
    public async Task VerifyAsync_Derivation_RunsOnAThreadPoolThread_NeverOnTheCallers()
    {
        // socks5d runs socket completions inline on the socket engine's thread: a handshake that derived there would
        // stall every socket for the length of a PBKDF2.
        var verifier = NewVerifier();
        var stored = Stored("right");
        using var release = new SemaphoreSlim(0);
        var derivingThread = -1;
        var onPool = false;
        verifier.DerivationStarting = _ =>
        {
            derivingThread = Environment.CurrentManagedThreadId;
            onPool = Thread.CurrentThread.IsThreadPoolThread;
            release.Wait(TestTimeouts.Generous).Should().BeTrue();
        };

        var caller = Environment.CurrentManagedThreadId;
        var check = verifier.VerifyAsync(stored, B("right"), CancellationToken.None);

        check.IsCompleted.Should().BeFalse("the caller gets the check back while the derivation is held elsewhere");
        release.Release();
        (await check).Should().BeTrue();
        derivingThread.Should().NotBe(caller);
        onPool.Should().BeTrue();
    }

    [Test]
    public async Task VerifyAsync_WaiterCancelledBeforeItsDerivation_DerivationNeverRuns()
    {
        var verifier = NewVerifier();
        var stored = Stored("right");
        using var release = new SemaphoreSlim(0);
        using var started = new SemaphoreSlim(0);
        verifier.DerivationStarting = _ =>
        {
            started.Release();
            release.Wait(TestTimeouts.Generous).Should().BeTrue();
        };

        var running = Task.Run(async () => await verifier.VerifyAsync(stored, B("wrong1"), CancellationToken.None));
        (await started.WaitAsync(TestTimeouts.Generous)).Should().BeTrue();
        using var leave = new CancellationTokenSource();
        var waiting = verifier.VerifyAsync(stored, B("wrong2"), leave.Token).AsTask();
        verifier.QueuedCount.Should().Be(2);

        await leave.CancelAsync();
        await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<OperationCanceledException>();
        release.Release(10);
        (await running).Should().BeFalse();

        verifier.DerivationCount.Should().Be(1, "the abandoned check never derived");
        using (var bound = new CancellationTokenSource(TestTimeouts.Generous))
        {
            // The dropped check gives its queue place back on its own continuation.
            while (verifier.QueuedCount != 0)
            {
                await Task.Delay(5, bound.Token);
            }
        }

        (await verifier.VerifyAsync(stored, B("wrong2"), CancellationToken.None)).Should().BeFalse();
        verifier.DerivationCount.Should().Be(2, "a later attempt with that password is checked afresh");
    }
}
