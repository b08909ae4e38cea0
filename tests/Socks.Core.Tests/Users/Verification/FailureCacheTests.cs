using System.Security.Cryptography;
using Socks.Core.Users.Verification;

namespace Socks.Core.Tests.Users.Verification;

[TestFixture]
public sealed class FailureCacheTests
{
    private static byte[] Mac() => RandomNumberGenerator.GetBytes(32);

    [Test]
    public void Contains_AddedMac_True()
    {
        var cache = new FailureCache(1024);
        var mac = Mac();

        cache.Add(mac);

        cache.Contains(mac).Should().BeTrue();
        cache.Contains(Mac()).Should().BeFalse();
    }

    [Test]
    public void Add_SameSlot_OverwritesTheOlderEntry()
    {
        var cache = new FailureCache(1);
        var older = Mac();
        var newer = Mac();

        cache.Add(older);
        cache.Add(newer);

        cache.Contains(older).Should().BeFalse("one slot holds one entry: memory stays bounded");
        cache.Contains(newer).Should().BeTrue();
    }

    [Test]
    public void Add_CallerChangesItsArray_EntryUnaffected()
    {
        var cache = new FailureCache(16);
        var mac = Mac();
        var kept = mac.ToArray();

        cache.Add(mac);
        mac[^1] ^= 0xFF;

        cache.Contains(kept).Should().BeTrue();
    }

    [Test]
    public void Constructor_NoSlots_ThrowsArgumentOutOfRange()
    {
        var create = () => new FailureCache(0);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }
}
