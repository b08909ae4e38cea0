using System.Buffers;
using System.Net;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Protocol;

/// <summary>Writer output read back by the reader for every message, both directions.</summary>
public class Socks5RoundTripTests
{
    [Test]
    public void Greeting_WrittenThenRead_OffersTheSameMethods()
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteGreeting([AuthMethod.NoAuthentication, AuthMethod.UsernamePassword, (AuthMethod)0x80], output);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        Socks5Reader.TryReadGreeting(ref buffer, out var greeting, out _).Should().Be(OperationStatus.Done);

        greeting.MethodCount.Should().Be(3);
        greeting.Offers(AuthMethod.NoAuthentication).Should().BeTrue();
        greeting.Offers(AuthMethod.UsernamePassword).Should().BeTrue();
        greeting.Offers((AuthMethod)0x80).Should().BeTrue();
        greeting.Offers(AuthMethod.GssApi).Should().BeFalse();
        buffer.Length.Should().Be(0);
    }

    [TestCase(AuthMethod.NoAuthentication)]
    [TestCase(AuthMethod.UsernamePassword)]
    [TestCase(AuthMethod.NoAcceptableMethods)]
    public void MethodSelection_WrittenThenRead_IsTheSameMethod(AuthMethod method)
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteMethodSelection(method, output);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        Socks5Reader.TryReadMethodSelection(ref buffer, out var read, out _).Should().Be(OperationStatus.Done);

        read.Should().Be(method);
    }

    [Test]
    public void UsernamePassword_WrittenThenRead_IsTheSameCredentials()
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteUsernamePassword("usuario", "contraseña", output);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        Socks5Reader.TryReadUsernamePassword(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        request!.Username.Should().Equal("usuario"u8.ToArray());
        request.Password.Should().Equal("contraseña"u8.ToArray());
    }

    [TestCase(true)]
    [TestCase(false)]
    public void AuthStatus_WrittenThenRead_IsTheSameOutcome(bool success)
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteAuthStatus(success, output);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        Socks5Reader.TryReadAuthStatus(ref buffer, out var read, out _).Should().Be(OperationStatus.Done);

        read.Should().Be(success);
    }

    [TestCase("192.0.2.1", 80)]
    [TestCase("2001:db8::42", 65535)]
    [TestCase("0.0.0.0", 0)]
    public void Request_IPWrittenThenRead_IsTheSameDestination(string address, int port)
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteRequest(SocksCommand.Connect, IPAddress.Parse(address), (ushort)port, output);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        Socks5Reader.TryReadRequest(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        request!.Command.Should().Be((byte)SocksCommand.Connect);
        request.Address.Should().Be(IPAddress.Parse(address));
        request.Port.Should().Be((ushort)port);
    }

    [Test]
    public void Request_DomainWrittenThenRead_IsTheSameName()
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteRequest(SocksCommand.Connect, "pop3.example.org", 110, output);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        Socks5Reader.TryReadRequest(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        request!.AddressType.Should().Be(AddressType.DomainName);
        request.DomainName.Should().Equal("pop3.example.org"u8.ToArray());
        request.Port.Should().Be(110);
    }

    [TestCase(ReplyCode.Succeeded, "127.0.0.1", 1080)]
    [TestCase(ReplyCode.HostUnreachable, "::1", 1)]
    public void Reply_WrittenThenRead_IsTheSameCodeAndEndPoint(ReplyCode code, string address, int port)
    {
        var bound = new IPEndPoint(IPAddress.Parse(address), port);
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteReply(code, bound, output);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        Socks5Reader.TryReadReply(ref buffer, out var reply, out _).Should().Be(OperationStatus.Done);

        reply!.Reply.Should().Be(code);
        reply.BoundEndPoint.Should().Be(bound);
    }

    [Test]
    public void Reply_IPv4MappedWrittenThenRead_IsPlainIPv4()
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteReply(ReplyCode.Succeeded, new IPEndPoint(IPAddress.Parse("::ffff:10.0.0.7"), 4000), output);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        Socks5Reader.TryReadReply(ref buffer, out var reply, out _).Should().Be(OperationStatus.Done);

        reply!.AddressType.Should().Be(AddressType.IPv4);
        reply.BoundEndPoint.Should().Be(new IPEndPoint(IPAddress.Parse("10.0.0.7"), 4000));
    }
}
