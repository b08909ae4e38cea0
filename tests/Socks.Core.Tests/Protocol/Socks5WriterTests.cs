using System.Buffers;
using System.Net;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Protocol;

/// <summary>Writers produce the exact RFC 1928/1929 bytes (hand-written expectations) and reject caller bugs.</summary>
public class Socks5WriterTests
{
    [TestCase(AuthMethod.NoAuthentication, "0500")]
    [TestCase(AuthMethod.UsernamePassword, "0502")]
    [TestCase(AuthMethod.NoAcceptableMethods, "05FF")]
    public void WriteMethodSelection_Method_WritesVerAndMethod(AuthMethod method, string expected)
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteMethodSelection(method, output);

        Hex.Compact(output.WrittenSpan).Should().Be(expected);
    }

    [TestCase(true, "0100")]
    [TestCase(false, "0101")]
    public void WriteAuthStatus_Outcome_WritesSubnegotiationVersionAndStatus(bool success, string expected)
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteAuthStatus(success, output);

        Hex.Compact(output.WrittenSpan).Should().Be(expected);
    }

    [TestCase(ReplyCode.Succeeded, "192.0.2.10", 50000, "05 00 00 01 C0 00 02 0A C3 50")]
    [TestCase(ReplyCode.Succeeded, "2001:db8::1", 443, "05 00 00 04 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 01 BB")]
    [TestCase(ReplyCode.Succeeded, "::ffff:192.0.2.10", 80, "05 00 00 01 C0 00 02 0A 00 50")]
    [TestCase(ReplyCode.ConnectionRefused, "10.1.2.3", 65535, "05 05 00 01 0A 01 02 03 FF FF")]
    public void WriteReply_BoundEndPoint_WritesExactBytes(ReplyCode reply, string address, int port, string expected)
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteReply(reply, new IPEndPoint(IPAddress.Parse(address), port), output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes(expected));
    }

    [TestCase(ReplyCode.GeneralFailure, "05 01 00 01 00 00 00 00 00 00")]
    [TestCase(ReplyCode.ConnectionNotAllowed, "05 02 00 01 00 00 00 00 00 00")]
    [TestCase(ReplyCode.NetworkUnreachable, "05 03 00 01 00 00 00 00 00 00")]
    [TestCase(ReplyCode.HostUnreachable, "05 04 00 01 00 00 00 00 00 00")]
    [TestCase(ReplyCode.ConnectionRefused, "05 05 00 01 00 00 00 00 00 00")]
    [TestCase(ReplyCode.TtlExpired, "05 06 00 01 00 00 00 00 00 00")]
    [TestCase(ReplyCode.CommandNotSupported, "05 07 00 01 00 00 00 00 00 00")]
    [TestCase(ReplyCode.AddressTypeNotSupported, "05 08 00 01 00 00 00 00 00 00")]
    public void WriteReply_NullBound_WritesIPv4ZeroAddressAndPort(ReplyCode reply, string expected)
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteReply(reply, null, output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes(expected));
    }

    [Test]
    public void WriteReply_UnassignedCode_ThrowsAndWritesNothing()
    {
        var output = new ArrayBufferWriter<byte>();

        var act = () => Socks5Writer.WriteReply((ReplyCode)0x09, null, output);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("reply");
        output.WrittenCount.Should().Be(0);
    }

    [Test]
    public void WriteGreeting_Methods_WritesCountAndMethodsInOrder()
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteGreeting([AuthMethod.UsernamePassword, AuthMethod.NoAuthentication], output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes("05 02 02 00"));
    }

    [Test]
    public void WriteGreeting_NoMethods_Throws()
    {
        var act = () => Socks5Writer.WriteGreeting([], new ArrayBufferWriter<byte>());

        act.Should().Throw<ArgumentException>().WithParameterName("methods");
    }

    [Test]
    public void WriteGreeting_256Methods_Throws()
    {
        var act = () => Socks5Writer.WriteGreeting(new AuthMethod[256], new ArrayBufferWriter<byte>());

        act.Should().Throw<ArgumentException>().WithParameterName("methods");
    }

    [Test]
    public void WriteUsernamePassword_Strings_WritesUtf8Fields()
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteUsernamePassword("alice", "secret", output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes("01 05 61 6C 69 63 65 06 73 65 63 72 65 74"));
    }

    [Test]
    public void WriteUsernamePassword_NonAsciiString_CountsUtf8Octets()
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteUsernamePassword("é", "ñ", output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes("01 02 C3 A9 02 C3 B1"));
    }

    [Test]
    public void WriteUsernamePassword_RawOctets_WritesThemUnchanged()
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteUsernamePassword([0xFF], [0x00, 0x80], output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes("01 01 FF 02 00 80"));
    }

    [TestCase("", "p", "username")]
    [TestCase("u", "", "password")]
    public void WriteUsernamePassword_EmptyField_Throws(string username, string password, string parameter)
    {
        var act = () => Socks5Writer.WriteUsernamePassword(username, password, new ArrayBufferWriter<byte>());

        act.Should().Throw<ArgumentException>().WithParameterName(parameter);
    }

    [Test]
    public void WriteUsernamePassword_256Utf8Octets_Throws()
    {
        // 128 two-octet characters: 128 chars but 256 octets on the wire.
        var act = () => Socks5Writer.WriteUsernamePassword(new string('é', 128), "p", new ArrayBufferWriter<byte>());

        act.Should().Throw<ArgumentException>().WithParameterName("username");
    }

    [Test]
    public void WriteUsernamePassword_255OctetFields_AreAccepted()
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteUsernamePassword(new string('u', 255), new string('p', 255), output);

        output.WrittenCount.Should().Be(3 + 255 + 255);
    }

    [Test]
    public void WriteRequest_IPv4_WritesAtyp01()
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteRequest(SocksCommand.Connect, IPAddress.Parse("192.0.2.1"), 80, output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes("05 01 00 01 C0 00 02 01 00 50"));
    }

    [Test]
    public void WriteRequest_IPv6_WritesAtyp04()
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteRequest(SocksCommand.Bind, IPAddress.Parse("2001:db8::1"), 443, output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes("05 02 00 04 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 01 BB"));
    }

    [Test]
    public void WriteRequest_DomainString_WritesAtyp03WithLength()
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteRequest(SocksCommand.Connect, "example.com", 8080, output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes("05 01 00 03 0B 65 78 61 6D 70 6C 65 2E 63 6F 6D 1F 90"));
    }

    [Test]
    public void WriteRequest_DomainOctets_WritesAtyp03WithLength()
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteRequest(SocksCommand.UdpAssociate, "a.b"u8, 1, output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes("05 03 00 03 03 61 2E 62 00 01"));
    }

    [Test]
    public void WriteRequest_IPLiteralAsString_IsStillSentAsDomainName()
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteRequest(SocksCommand.Connect, "127.0.0.1", 80, output);

        output.WrittenSpan[3].Should().Be((byte)AddressType.DomainName);
    }

    [Test]
    public void WriteRequest_EmptyDomain_Throws()
    {
        var act = () => Socks5Writer.WriteRequest(SocksCommand.Connect, string.Empty, 80, new ArrayBufferWriter<byte>());

        act.Should().Throw<ArgumentException>().WithParameterName("domainName");
    }

    [Test]
    public void WriteRequest_256OctetDomain_Throws()
    {
        var act = () => Socks5Writer.WriteRequest(SocksCommand.Connect, new string('a', 256), 80, new ArrayBufferWriter<byte>());

        act.Should().Throw<ArgumentException>().WithParameterName("domainName");
    }

    [TestCase(0)]
    [TestCase(4)]
    public void WriteRequest_UndefinedCommand_Throws(int command)
    {
        var act = () => Socks5Writer.WriteRequest((SocksCommand)command, IPAddress.Loopback, 80, new ArrayBufferWriter<byte>());

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("command");
    }

    [Test]
    public void Writers_NullOutput_Throw()
    {
        var acts = new Action[]
        {
            () => Socks5Writer.WriteMethodSelection(AuthMethod.NoAuthentication, null!),
            () => Socks5Writer.WriteAuthStatus(true, null!),
            () => Socks5Writer.WriteReply(ReplyCode.Succeeded, null, null!),
            () => Socks5Writer.WriteGreeting([AuthMethod.NoAuthentication], null!),
            () => Socks5Writer.WriteUsernamePassword("u", "p", null!),
            () => Socks5Writer.WriteRequest(SocksCommand.Connect, "a", 1, null!),
        };

        foreach (var act in acts)
        {
            act.Should().Throw<ArgumentNullException>().WithParameterName("output");
        }
    }

    [Test]
    public void Writers_SuccessiveMessages_AppendToOutput()
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteMethodSelection(AuthMethod.UsernamePassword, output);
        Socks5Writer.WriteAuthStatus(true, output);
        Socks5Writer.WriteReply(ReplyCode.Succeeded, new IPEndPoint(IPAddress.Loopback, 1080), output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes("05 02 01 00 05 00 00 01 7F 00 00 01 04 38"));
    }
}
