using System.Net;
using Socks.Core.Commands.UdpAssociate;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Commands.UdpAssociate;

public sealed class UdpHeaderTests
{
    private static readonly byte[] IPv4Datagram = [0, 0, 0, 0x01, 192, 0, 2, 1, 0x00, 0x35, (byte)'d', (byte)'n', (byte)'s'];
    private static readonly byte[] NameDatagram = [0, 0, 0, 0x03, 4, (byte)'a', (byte)'.', (byte)'b', (byte)'c', 0x1F, 0x90, 0xAA];

    [Test]
    public void TryRead_IPv4_GivesAddressPortAndDataOffset()
    {
        UdpHeader.TryRead(IPv4Datagram, out var header).Should().BeTrue();

        header.AddressType.Should().Be(AddressType.IPv4);
        IPv4Datagram.AsSpan(header.AddressOffset, header.AddressLength).ToArray().Should().Equal(192, 0, 2, 1);
        header.Port.Should().Be(53);
        header.Length.Should().Be(UdpHeader.IPv4Length);
        header.Fragment.Should().Be(0);
    }

    [Test]
    public void TryRead_Name_GivesTheNameWithoutItsLength()
    {
        UdpHeader.TryRead(NameDatagram, out var header).Should().BeTrue();

        header.AddressType.Should().Be(AddressType.DomainName);
        NameDatagram.AsSpan(header.AddressOffset, header.AddressLength).ToArray().Should().Equal("a.bc"u8.ToArray());
        header.Port.Should().Be(8080);
        header.Length.Should().Be(11);
    }

    [Test]
    public void TryRead_EveryTruncatedHeader_IsRejected()
    {
        for (var length = 0; length < UdpHeader.IPv4Length; length++)
        {
            UdpHeader.TryRead(IPv4Datagram.AsSpan(0, length), out _).Should().BeFalse($"{length} bytes are not a header");
        }

        for (var length = 0; length < 11; length++)
        {
            UdpHeader.TryRead(NameDatagram.AsSpan(0, length), out _).Should().BeFalse($"{length} bytes are not a header");
        }
    }

    [TestCase((byte)0x00)]
    [TestCase((byte)0x02)]
    [TestCase((byte)0x05)]
    public void TryRead_UnknownAddressType_IsRejected(byte atyp)
    {
        UdpHeader.TryRead([0, 0, 0, atyp, 1, 2, 3, 4, 5, 6], out _).Should().BeFalse();
    }

    [Test]
    public void TryRead_EmptyName_IsRejected() =>
        UdpHeader.TryRead([0, 0, 0, 0x03, 0, 0, 80], out _).Should().BeFalse();

    [Test]
    public void TryRead_Fragment_IsReported()
    {
        byte[] datagram = [.. IPv4Datagram];
        datagram[2] = 1;

        UdpHeader.TryRead(datagram, out var header).Should().BeTrue();
        header.Fragment.Should().Be(1);
    }

    [TestCase("192.0.2.7", 12)]
    [TestCase("2001:db8::7", 0)]
    public void WriteBefore_ThenTryRead_RoundTrips(string address, int expectedStart)
    {
        var buffer = new byte[UdpHeader.IPv6Length + 3];
        "abc"u8.CopyTo(buffer.AsSpan(UdpHeader.IPv6Length));
        var bytes = IPAddress.Parse(address).GetAddressBytes();

        var start = UdpHeader.WriteBefore(buffer, UdpHeader.IPv6Length, bytes, 4321);

        start.Should().Be(expectedStart);
        var datagram = buffer.AsSpan(start);
        UdpHeader.TryRead(datagram, out var header).Should().BeTrue();
        datagram.Slice(header.AddressOffset, header.AddressLength).ToArray().Should().Equal(bytes);
        header.Port.Should().Be(4321);
        datagram[header.Length..].ToArray().Should().Equal("abc"u8.ToArray());
    }
}
