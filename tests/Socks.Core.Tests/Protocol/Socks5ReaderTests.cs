using System.Buffers;
using System.Net;
using System.Text;
using Socks.Core.Protocol;
using Socks.Core.Tests.Support;

namespace Socks.Core.Tests.Protocol;

/// <summary>Field-level checks of each reader on hand-written RFC 1928/1929 vectors.</summary>
public class Socks5ReaderTests
{
    [TestCase(0x00)]
    [TestCase(0x3F)]
    [TestCase(0x40)]
    [TestCase(0x7F)]
    [TestCase(0x80)]
    [TestCase(0xBF)]
    [TestCase(0xC0)]
    [TestCase(0xFF)]
    public void TryReadGreeting_SingleMethodAtWordBoundary_OffersOnlyThatMethod(int method)
    {
        var buffer = new ReadOnlySequence<byte>([0x05, 0x01, (byte)method]);

        Socks5Reader.TryReadGreeting(ref buffer, out var greeting, out _).Should().Be(OperationStatus.Done);

        greeting.MethodCount.Should().Be(1);
        Enumerable.Range(0, 256).Where(m => greeting.Offers((AuthMethod)m)).Should().Equal(method);
    }

    [Test]
    public void TryReadGreeting_255Methods_OffersEachListedMethod()
    {
        byte[] message = [0x05, 0xFF, .. Enumerable.Range(0, 255).Select(m => (byte)m)];
        var buffer = new ReadOnlySequence<byte>(message);

        Socks5Reader.TryReadGreeting(ref buffer, out var greeting, out _).Should().Be(OperationStatus.Done);

        greeting.MethodCount.Should().Be(255);
        greeting.Offers(AuthMethod.NoAuthentication).Should().BeTrue();
        greeting.Offers((AuthMethod)0xFE).Should().BeTrue();
        greeting.Offers(AuthMethod.NoAcceptableMethods).Should().BeFalse();
        buffer.Length.Should().Be(0);
    }

    [Test]
    public void TryReadGreeting_254OfAnnounced255Methods_ReturnsNeedMoreData()
    {
        byte[] message = [0x05, 0xFF, .. Enumerable.Range(0, 254).Select(m => (byte)m)];
        var buffer = new ReadOnlySequence<byte>(message);

        Socks5Reader.TryReadGreeting(ref buffer, out _, out _).Should().Be(OperationStatus.NeedMoreData);
    }

    [Test]
    public void DefaultGreeting_OffersNothing()
    {
        var greeting = default(SocksGreeting);

        greeting.MethodCount.Should().Be(0);
        Enumerable.Range(0, 256).Any(m => greeting.Offers((AuthMethod)m)).Should().BeFalse();
    }

    [Test]
    public void TryReadUsernamePassword_Rfc1929Vector_ReturnsRawOctets()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("01 05 61 6C 69 63 65 06 73 65 63 72 65 74"));

        Socks5Reader.TryReadUsernamePassword(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        request!.Username.Should().Equal("alice"u8.ToArray());
        request.Password.Should().Equal("secret"u8.ToArray());
    }

    [Test]
    public void TryReadUsernamePassword_255OctetFieldsSplitEverywhere_ReturnsBothFields()
    {
        var username = Enumerable.Range(0, 255).Select(i => (byte)(i + 1)).ToArray();
        var password = Enumerable.Range(0, 255).Select(i => (byte)(255 - i)).ToArray();
        byte[] message = [0x01, 0xFF, .. username, 0xFF, .. password];

        foreach (var sequence in new[] { new ReadOnlySequence<byte>(message), TestSequence.OneBytePerSegment(message), TestSequence.SplitAt(message, 2, 100, 257, 258, 300) })
        {
            var buffer = sequence;

            Socks5Reader.TryReadUsernamePassword(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

            request!.Username.Should().Equal(username);
            request.Password.Should().Equal(password);
            buffer.Length.Should().Be(0);
        }
    }

    [TestCase("01 03 61 62 63 00", "616263", TestName = "UsernameOfBadLengthRequest_Plen0_IsTheName")]
    [TestCase("01 00", "", TestName = "UsernameOfBadLengthRequest_Ulen0_IsEmpty")]
    public void UsernameOfBadLengthRequest_GivesTheNameTheInvalidRequestCarried(string hex, string expected)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(hex));
        var untouched = buffer;
        Socks5Reader.TryReadUsernamePassword(ref untouched, out _, out var error).Should().Be(OperationStatus.InvalidData);
        error.Should().Be(SocksParseError.BadLength);

        Hex.Compact(Socks5Reader.UsernameOfBadLengthRequest(untouched)).Should().Be(expected);
    }

    [Test]
    public void TryReadUsernamePassword_NonUtf8Octets_ArePreserved()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("01 02 C3 28 03 00 FF 80"));

        Socks5Reader.TryReadUsernamePassword(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        request!.Username.Should().Equal(0xC3, 0x28);
        request.Password.Should().Equal(0x00, 0xFF, 0x80);
    }

    [Test]
    public void TryReadRequest_ConnectIPv4_ReturnsEveryField()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("05 01 00 01 C0 00 02 01 00 50"));

        Socks5Reader.TryReadRequest(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        request!.Command.Should().Be((byte)SocksCommand.Connect);
        request.AddressType.Should().Be(AddressType.IPv4);
        request.Address.Should().Be(IPAddress.Parse("192.0.2.1"));
        request.DomainName.Should().BeNull();
        request.Port.Should().Be(80);
        request.HostBytes.Should().Equal("192.0.2.1"u8.ToArray());
    }

    [Test]
    public void TryReadRequest_ConnectIPv6_ReturnsAddressAndTextForLogs()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("05 01 00 04 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 01 BB"));

        Socks5Reader.TryReadRequest(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        request!.AddressType.Should().Be(AddressType.IPv6);
        request.Address.Should().Be(IPAddress.Parse("2001:db8::1"));
        request.Port.Should().Be(443);
        request.HostBytes.Should().Equal("2001:db8::1"u8.ToArray());
    }

    [Test]
    public void TryReadRequest_IPv4MappedIPv6_IsKeptAsTheClientSentIt()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("05 01 00 04 00 00 00 00 00 00 00 00 00 00 FF FF 7F 00 00 01 00 16"));

        Socks5Reader.TryReadRequest(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        request!.AddressType.Should().Be(AddressType.IPv6);
        request.Address!.IsIPv4MappedToIPv6.Should().BeTrue();
        request.Address.MapToIPv4().Should().Be(IPAddress.Loopback);
    }

    [Test]
    public void TryReadRequest_DomainName_ReturnsRawBytesAsNameAndHost()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("05 01 00 03 0B 65 78 61 6D 70 6C 65 2E 63 6F 6D 1F 90"));

        Socks5Reader.TryReadRequest(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        request!.AddressType.Should().Be(AddressType.DomainName);
        request.Address.Should().BeNull();
        request.DomainName.Should().Equal("example.com"u8.ToArray());
        request.HostBytes.Should().Equal("example.com"u8.ToArray());
        request.Port.Should().Be(8080);
    }

    [Test]
    public void TryReadRequest_255OctetDomainName_IsAccepted()
    {
        var name = Enumerable.Repeat((byte)'a', 255).ToArray();
        byte[] message = [0x05, 0x01, 0x00, 0x03, 0xFF, .. name, 0x00, 0x50];
        var buffer = TestSequence.OneBytePerSegment(message);

        Socks5Reader.TryReadRequest(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        request!.DomainName.Should().Equal(name);
        request.Port.Should().Be(80);
    }

    [Test]
    public void TryReadRequest_NonZeroReserved_IsIgnored()
    {
        // RFC 1928 §4 makes senders write RSV X'00' but gives receivers no action for other values; the
        // reader ignores it so that sloppy clients still work.
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("05 01 FF 01 C0 00 02 01 00 50"));

        Socks5Reader.TryReadRequest(ref buffer, out var request, out var error).Should().Be(OperationStatus.Done);

        error.Should().Be(SocksParseError.None);
        request!.Address.Should().Be(IPAddress.Parse("192.0.2.1"));
    }

    [TestCase(0x00)]
    [TestCase(0x02)]
    [TestCase(0x03)]
    [TestCase(0x04)]
    [TestCase(0xFF)]
    public void TryReadRequest_AnyCommand_ParsesAndKeepsTheRawByte(int command)
    {
        var buffer = new ReadOnlySequence<byte>([0x05, (byte)command, 0x00, 0x01, 0x0A, 0x00, 0x00, 0x01, 0x00, 0x50]);

        Socks5Reader.TryReadRequest(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        request!.Command.Should().Be((byte)command);
    }

    [Test]
    public void TryReadRequest_UnknownAddressTypeWithUnknownCommand_ReportsTheAddressType()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("05 09 00 02"));

        Socks5Reader.TryReadRequest(ref buffer, out _, out var error).Should().Be(OperationStatus.InvalidData);

        error.Should().Be(SocksParseError.UnsupportedAddressType);
    }

    [Test]
    public void TryReadReply_IPv4_ReturnsBoundEndPoint()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("05 00 00 01 7F 00 00 01 04 38"));

        Socks5Reader.TryReadReply(ref buffer, out var reply, out _).Should().Be(OperationStatus.Done);

        reply!.Reply.Should().Be(ReplyCode.Succeeded);
        reply.BoundEndPoint.Should().Be(new IPEndPoint(IPAddress.Loopback, 1080));
    }

    [Test]
    public void TryReadReply_DomainName_HasNoBoundEndPoint()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("05 00 00 03 09 6C 6F 63 61 6C 68 6F 73 74 00 50"));

        Socks5Reader.TryReadReply(ref buffer, out var reply, out _).Should().Be(OperationStatus.Done);

        reply!.DomainName.Should().Equal(Encoding.ASCII.GetBytes("localhost"));
        reply.Port.Should().Be(80);
        reply.BoundEndPoint.Should().BeNull();
    }

    [TestCase("05 00", AuthMethod.NoAuthentication)]
    [TestCase("05 01", AuthMethod.GssApi)]
    [TestCase("05 02", AuthMethod.UsernamePassword)]
    [TestCase("05 FF", AuthMethod.NoAcceptableMethods)]
    public void TryReadMethodSelection_Rfc1928Vector_ReturnsMethod(string hex, AuthMethod expected)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(hex));

        Socks5Reader.TryReadMethodSelection(ref buffer, out var method, out _).Should().Be(OperationStatus.Done);

        method.Should().Be(expected);
    }
}
