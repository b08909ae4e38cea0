using System.Buffers;
using Socks.Core.Protocol;
using Socks.Core.Tests.Support;

namespace Socks.Core.Tests.Protocol;

/// <summary>
/// The reader contract, checked for every reader against every hand-written vector: each prefix needs more
/// data and consumes nothing, every segmentation parses identically, trailing bytes are left in place, and
/// each invalid field is reported as soon as it arrives, however the bytes are split.
/// </summary>
internal sealed class Socks5ReaderContractTests
{
    private static IEnumerable<TestCaseData> Valid() => Socks5ReaderVectors.Valid();

    private static IEnumerable<TestCaseData> Invalid() => Socks5ReaderVectors.Invalid();

    [TestCaseSource(nameof(Valid))]
    public void TryRead_ValidMessage_ReturnsDoneAndConsumesExactlyTheMessage(NamedReader reader, byte[] message, string expected)
    {
        var buffer = new ReadOnlySequence<byte>(message);

        var status = reader.Read(ref buffer, out var text, out var error);

        status.Should().Be(OperationStatus.Done);
        error.Should().Be(SocksParseError.None);
        text.Should().Be(expected);
        buffer.Length.Should().Be(0);
    }

    [TestCaseSource(nameof(Valid))]
    public void TryRead_EveryPrefix_ReturnsNeedMoreDataAndConsumesNothing(NamedReader reader, byte[] message, string expected)
    {
        _ = expected;
        for (var length = 0; length < message.Length; length++)
        {
            foreach (var (shape, sequence) in TestSequence.AllShapes(message[..length]))
            {
                var buffer = sequence;

                var status = reader.Read(ref buffer, out var text, out var error);

                status.Should().Be(OperationStatus.NeedMoreData, "prefix of {0} bytes, {1}", length, shape);
                error.Should().Be(SocksParseError.None);
                text.Should().BeNull();
                buffer.Should().Be(sequence, "NeedMoreData must leave the buffer untouched");
            }
        }
    }

    [TestCaseSource(nameof(Valid))]
    public void TryRead_EverySegmentation_ParsesIdentically(NamedReader reader, byte[] message, string expected)
    {
        foreach (var (shape, sequence) in TestSequence.AllShapes(message))
        {
            var buffer = sequence;

            var status = reader.Read(ref buffer, out var text, out _);

            status.Should().Be(OperationStatus.Done, shape);
            text.Should().Be(expected, shape);
            buffer.Length.Should().Be(0, shape);
            buffer.Start.Should().Be(sequence.End, shape);
        }
    }

    [TestCaseSource(nameof(Valid))]
    public void TryRead_TrailingBytes_LeavesThemInBuffer(NamedReader reader, byte[] message, string expected)
    {
        byte[] trailing = [0x05, 0x01, 0x00, 0xDE, 0xAD];
        byte[] input = [.. message, .. trailing];
        foreach (var (shape, sequence) in TestSequence.AllShapes(input))
        {
            var buffer = sequence;

            var status = reader.Read(ref buffer, out var text, out _);

            status.Should().Be(OperationStatus.Done, shape);
            text.Should().Be(expected, shape);
            buffer.ToArray().Should().Equal(trailing, shape);
        }
    }

    [TestCaseSource(nameof(Invalid))]
    public void TryRead_InvalidField_ReturnsInvalidDataAsSoonAsTheFieldArrives(NamedReader reader, byte[] input, SocksParseError expected)
    {
        foreach (var (shape, sequence) in TestSequence.AllShapes(input))
        {
            var buffer = sequence;

            var status = reader.Read(ref buffer, out var text, out var error);

            status.Should().Be(OperationStatus.InvalidData, shape);
            error.Should().Be(expected, shape);
            text.Should().BeNull();
            buffer.Should().Be(sequence, "InvalidData must leave the buffer untouched ({0})", shape);
        }
    }

    [TestCaseSource(nameof(Invalid))]
    public void TryRead_InvalidFieldFollowedByMoreBytes_StillReturnsInvalidData(NamedReader reader, byte[] input, SocksParseError expected)
    {
        byte[] longer = [.. input, .. Enumerable.Repeat((byte)0x41, 300)];
        var buffer = new ReadOnlySequence<byte>(longer);

        var status = reader.Read(ref buffer, out _, out var error);

        status.Should().Be(OperationStatus.InvalidData);
        error.Should().Be(expected);
    }

    [TestCaseSource(nameof(Invalid))]
    public void TryRead_PrefixBeforeInvalidField_ReturnsNeedMoreData(NamedReader reader, byte[] input, SocksParseError expected)
    {
        _ = expected;
        var buffer = new ReadOnlySequence<byte>(input, 0, input.Length - 1);

        var status = reader.Read(ref buffer, out _, out var error);

        status.Should().Be(OperationStatus.NeedMoreData);
        error.Should().Be(SocksParseError.None);
    }

    [Test]
    public void TryRead_RandomInput_NeverThrowsAndHonoursTheContract()
    {
        // Fixed seed: reproducible, and still thousands of hostile inputs per reader, many starting with a
        // valid VER so that the later fields are exercised too.
        var random = new Random(1928);
        foreach (var reader in ReaderAdapters.All)
        {
            for (var i = 0; i < 3000; i++)
            {
                var input = new byte[random.Next(0, 300)];
                random.NextBytes(input);
                if (input.Length > 0 && random.Next(2) == 0)
                {
                    input[0] = reader == ReaderAdapters.UsernamePassword || reader == ReaderAdapters.AuthStatus ? (byte)0x01 : (byte)0x05;
                }

                if (input.Length > 3 && random.Next(2) == 0)
                {
                    input[3] = (byte)random.Next(0, 6);
                }

                var sequence = random.Next(2) == 0 ? new ReadOnlySequence<byte>(input) : TestSequence.OneBytePerSegment(input);
                var buffer = sequence;

                var status = reader.Read(ref buffer, out var text, out var error);

                if (status == OperationStatus.Done)
                {
                    text.Should().NotBeNull();
                    error.Should().Be(SocksParseError.None);
                    buffer.Length.Should().BeLessThan(sequence.Length);
                }
                else
                {
                    buffer.Should().Be(sequence);
                    text.Should().BeNull();
                    (error != SocksParseError.None).Should().Be(status == OperationStatus.InvalidData);
                }
            }
        }
    }
}
