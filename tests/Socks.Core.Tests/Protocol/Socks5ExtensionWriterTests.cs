using System.Buffers;
using System.Net;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Protocol;

/// <summary>The writer's parts for Tor's RESOLVE extensions: requests with CMD X'F0'/X'F1', and a reply whose BND.ADDR is a name.</summary>
public sealed class Socks5ExtensionWriterTests
{
    [Test]
    public void WriteReply_DomainName_WritesExactBytes()
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteReply(ReplyCode.Succeeded, "localhost"u8, 0, output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes("05 00 00 03 09 6C 6F 63 61 6C 68 6F 73 74 00 00"));
    }

    [Test]
    public void WriteReply_DomainName_ReadsBackThroughTheReplyReader()
    {
        var output = new ArrayBufferWriter<byte>();
        Socks5Writer.WriteReply(ReplyCode.Succeeded, "host.example"u8, 1080, output);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        Socks5Reader.TryReadReply(ref buffer, out var reply, out _).Should().Be(OperationStatus.Done);

        reply!.AddressType.Should().Be(AddressType.DomainName);
        reply.DomainName.Should().Equal("host.example"u8.ToArray());
        reply.Port.Should().Be(1080);
        buffer.Length.Should().Be(0);
    }

    [TestCase(0)]
    [TestCase(256)]
    public void WriteReply_DomainNameOfBadLength_ThrowsAndWritesNothing(int length)
    {
        var output = new ArrayBufferWriter<byte>();

        var act = () => Socks5Writer.WriteReply(ReplyCode.Succeeded, new byte[length], 0, output);

        act.Should().Throw<ArgumentException>().WithParameterName("domainName");
        output.WrittenCount.Should().Be(0);
    }

    [Test]
    public void WriteReply_DomainNameWithUnassignedCode_Throws()
    {
        var act = () => Socks5Writer.WriteReply((ReplyCode)0x09, "a"u8, 0, new ArrayBufferWriter<byte>());

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("reply");
    }

    [TestCase(SocksCommand.Resolve, "05 F0 00 03 09 6C 6F 63 61 6C 68 6F 73 74 00 00")]
    [TestCase(SocksCommand.ResolvePtr, "05 F1 00 03 09 6C 6F 63 61 6C 68 6F 73 74 00 00")]
    public void WriteRequest_TorCommands_AreWritten(SocksCommand command, string expected)
    {
        var output = new ArrayBufferWriter<byte>();

        Socks5Writer.WriteRequest(command, "localhost", 0, output);

        output.WrittenSpan.ToArray().Should().Equal(Hex.Bytes(expected));
    }

    [Test]
    public void WriteRequest_UnassignedExtensionCommand_Throws()
    {
        var act = () => Socks5Writer.WriteRequest((SocksCommand)0xF2, IPAddress.Loopback, 0, new ArrayBufferWriter<byte>());

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("command");
    }

    [TestCase(0xF0)]
    [TestCase(0xF1)]
    public void TryReadRequest_TorCommands_Parse(int command)
    {
        var buffer = new ReadOnlySequence<byte>([0x05, (byte)command, 0x00, 0x01, 127, 0, 0, 1, 0x00, 0x00]);

        Socks5Reader.TryReadRequest(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

        request!.Command.Should().Be((byte)command);
    }
}
