using System.Net;
using Socks.Core.Users;

namespace Socks.Core.Tests.Users;

/// <summary>The per-address failure table on its own, on a fake clock.</summary>
[TestFixture]
public sealed class AddressThrottleTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Backoff = TimeSpan.FromMinutes(5);

    private readonly ManualTimeProvider _clock = new();

    [Test]
    public void RecordFailure_LimitReachedWithinTheWindow_BlocksForTheBackoffOnly()
    {
        var throttle = new AddressThrottle(3, Window, Backoff);
        var address = IPAddress.Parse("192.0.2.1");

        throttle.RecordFailure(address, _clock).Should().BeFalse();
        throttle.RecordFailure(address, _clock).Should().BeFalse();
        throttle.IsBlocked(address, _clock).Should().BeFalse();
        throttle.RecordFailure(address, _clock).Should().BeTrue("the third failure starts the back-off");
        throttle.IsBlocked(address, _clock).Should().BeTrue();
        throttle.RecordFailure(address, _clock).Should().BeFalse("a blocked address is not blocked again");

        _clock.Advance(Backoff - TimeSpan.FromTicks(1));
        throttle.IsBlocked(address, _clock).Should().BeTrue();
        _clock.Advance(TimeSpan.FromTicks(1));
        throttle.IsBlocked(address, _clock).Should().BeFalse();
        throttle.RecordFailure(address, _clock).Should().BeFalse("the count starts again after the back-off");
    }

    [Test]
    public void IsBlocked_Ipv4MappedAndPlainIpv4_AreOneAddress()
    {
        var throttle = new AddressThrottle(1, Window, Backoff);

        throttle.RecordFailure(IPAddress.Parse("::ffff:192.0.2.7"), _clock).Should().BeTrue();

        throttle.IsBlocked(IPAddress.Parse("192.0.2.7"), _clock).Should().BeTrue();
        throttle.IsBlocked(IPAddress.Parse("192.0.2.8"), _clock).Should().BeFalse();
    }

    [Test]
    public void IsBlocked_Ipv6_CountsBySlash64()
    {
        var throttle = new AddressThrottle(2, Window, Backoff);

        throttle.RecordFailure(IPAddress.Parse("2001:db8:1:2::1"), _clock).Should().BeFalse();
        throttle.RecordFailure(IPAddress.Parse("2001:db8:1:2:ffff::9"), _clock).Should().BeTrue("same /64");

        throttle.IsBlocked(IPAddress.Parse("2001:db8:1:2::abcd"), _clock).Should().BeTrue();
        throttle.IsBlocked(IPAddress.Parse("2001:db8:1:3::1"), _clock).Should().BeFalse("another /64");
    }

    [Test]
    public void RecordFailure_LimitZero_NeverBlocks()
    {
        var throttle = new AddressThrottle(0, Window, Backoff);
        var address = IPAddress.Loopback;

        for (var i = 0; i < 100; i++)
        {
            throttle.RecordFailure(address, _clock).Should().BeFalse();
        }

        throttle.IsBlocked(address, _clock).Should().BeFalse();
    }

    [Test]
    public void RecordFailure_ManyOtherAddresses_DoNotEvictABlockedOne()
    {
        var throttle = new AddressThrottle(1, Window, Backoff);
        var blocked = IPAddress.Parse("198.51.100.1");
        throttle.RecordFailure(blocked, _clock).Should().BeTrue();

        // Far more addresses than slots: some share the blocked one's slot and must not take it over.
        for (var i = 0; i < 4 * AddressThrottle.Slots; i++)
        {
            throttle.RecordFailure(new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]), _clock);
        }

        throttle.IsBlocked(blocked, _clock).Should().BeTrue();
    }
}
