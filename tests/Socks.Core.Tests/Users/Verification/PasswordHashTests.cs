using Socks.Core.Users.Verification;

namespace Socks.Core.Tests.Users.Verification;

[TestFixture]
public sealed class PasswordHashTests
{
    [Test]
    public void Constructor_ValidValues_KeepsCopies()
    {
        var salt = new byte[16];
        var hash = new byte[32];
        salt[0] = 1;
        hash[0] = 2;

        var stored = new PasswordHash(600_000, salt, hash);
        salt[0] = 9;
        hash[0] = 9;

        stored.Iterations.Should().Be(600_000);
        stored.Salt.Span[0].Should().Be(1);
        stored.Hash.Span[0].Should().Be(2);
    }

    [TestCase(0, 16, 32, "iterations")]
    [TestCase(10_000_001, 16, 32, "iterations")]
    [TestCase(1, 15, 32, "salt")]
    [TestCase(1, 65, 32, "salt")]
    [TestCase(1, 16, 31, "hash")]
    [TestCase(1, 16, 33, "hash")]
    public void Constructor_ValueOutOfRange_ThrowsArgumentOutOfRange(int iterations, int saltLength, int hashLength, string parameter)
    {
        var create = () => new PasswordHash(iterations, new byte[saltLength], new byte[hashLength]);

        create.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(parameter);
    }
}
