using System.Buffers;
using Socks.Core.Protocol;
using Socks.Core.Tests.Support;

namespace Socks.Core.Tests.Protocol;

/// <summary>
/// A reader that waits for more bytes must not allocate: a slow client sending one byte at a time would
/// otherwise cost an allocation per byte. Measured with the per-thread allocation counter.
/// </summary>
[NonParallelizable]
public class Socks5ReaderAllocationTests
{
    private static readonly byte[] Greeting = Hex.Bytes("05 02 00 02");
    private static readonly byte[] Auth = Hex.Bytes("01 05 61 6C 69 63 65 06 73 65 63 72 65 74");
    private static readonly byte[] DomainRequest = Hex.Bytes("05 01 00 03 0B 65 78 61 6D 70 6C 65 2E 63 6F 6D 1F 90");
    private static readonly byte[] IPv6Request = Hex.Bytes("05 01 00 04 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 01 BB");
    private static readonly byte[] Reply = Hex.Bytes("05 00 00 03 09 6C 6F 63 61 6C 68 6F 73 74 00 50");

    [Test]
    public void TryRead_EveryPrefix_AllocatesNothing()
    {
        var prefixes = new List<(int Kind, ReadOnlySequence<byte> Prefix)>();
        var messages = new[] { Greeting, Auth, DomainRequest, IPv6Request, Reply, Hex.Bytes("05 00"), Hex.Bytes("01 00") };
        for (var kind = 0; kind < messages.Length; kind++)
        {
            var message = messages[kind];
            for (var length = 0; length < message.Length; length++)
            {
                prefixes.Add((kind, new ReadOnlySequence<byte>(message, 0, length)));
                prefixes.Add((kind, TestSequence.OneBytePerSegment(message[..length])));
            }
        }

        ReadAll(prefixes);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var needMore = ReadAll(prefixes);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        needMore.Should().Be(prefixes.Count);
        allocated.Should().Be(0);
    }

    [Test]
    public void TryRead_InvalidInput_AllocatesNothing()
    {
        var inputs = new List<(int Kind, ReadOnlySequence<byte> Prefix)>
        {
            (0, new ReadOnlySequence<byte>(Hex.Bytes("05 00"))),
            (1, new ReadOnlySequence<byte>(Hex.Bytes("01 03 61 62 63 00"))),
            (2, new ReadOnlySequence<byte>(Hex.Bytes("05 01 00 03 00"))),
            (2, new ReadOnlySequence<byte>(Hex.Bytes("05 01 00 02"))),
            (4, new ReadOnlySequence<byte>(Hex.Bytes("05 00 00 05"))),
            (5, new ReadOnlySequence<byte>(Hex.Bytes("04 00"))),
            (6, new ReadOnlySequence<byte>(Hex.Bytes("05 00"))),
        };

        ReadAll(inputs);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var needMore = ReadAll(inputs);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        needMore.Should().Be(0);
        allocated.Should().Be(0);
    }

    [Test]
    public void TryReadGreeting_CompleteMessage_AllocatesNothing()
    {
        var sequence = TestSequence.OneBytePerSegment(Greeting);
        var buffer = sequence;
        Socks5Reader.TryReadGreeting(ref buffer, out _, out _);

        buffer = sequence;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var status = Socks5Reader.TryReadGreeting(ref buffer, out var greeting, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        status.Should().Be(OperationStatus.Done);
        greeting.Offers(AuthMethod.UsernamePassword).Should().BeTrue();
        allocated.Should().Be(0);
    }

    /// <summary>Runs the reader for each kind (the index into the message list) and counts NeedMoreData results.</summary>
    private static int ReadAll(List<(int Kind, ReadOnlySequence<byte> Prefix)> inputs)
    {
        var needMore = 0;
        foreach (var (kind, prefix) in inputs)
        {
            var buffer = prefix;
            var status = kind switch
            {
                0 => Socks5Reader.TryReadGreeting(ref buffer, out _, out _),
                1 => Socks5Reader.TryReadUsernamePassword(ref buffer, out _, out _),
                2 or 3 => Socks5Reader.TryReadRequest(ref buffer, out _, out _),
                4 => Socks5Reader.TryReadReply(ref buffer, out _, out _),
                5 => Socks5Reader.TryReadMethodSelection(ref buffer, out _, out _),
                _ => Socks5Reader.TryReadAuthStatus(ref buffer, out _, out _),
            };
            needMore += status == OperationStatus.NeedMoreData ? 1 : 0;
        }

        return needMore;
    }
}
