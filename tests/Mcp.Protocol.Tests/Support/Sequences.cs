using System.Buffers;

namespace Mcp.Protocol.Tests.Support;

/// <summary>Builds single- and multi-segment <see cref="ReadOnlySequence{T}"/> inputs for reader tests.</summary>
internal static class Sequences
{
    /// <summary>Parses "01 02 0A" (spaces optional) into bytes.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    /// <summary>One segment holding <paramref name="data"/>.</summary>
    public static ReadOnlySequence<byte> Single(byte[] data) => new(data);

    /// <summary>
    /// Splits <paramref name="data"/> at the given ascending offsets; each piece is copied into its own array so
    /// readers really cross segment boundaries.
    /// </summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var pieces = new List<byte[]>();
        var start = 0;
        foreach (var cut in cuts)
        {
            pieces.Add(data[start..cut]);
            start = cut;
        }

        pieces.Add(data[start..]);
        return FromPieces(pieces);
    }

    /// <summary>Every byte in its own segment, with an empty segment between each pair of bytes.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegmentWithEmptySegments(byte[] data)
    {
        var pieces = new List<byte[]>();
        foreach (var b in data)
        {
            pieces.Add([b]);
            pieces.Add([]);
        }

        return FromPieces(pieces);
    }

    private static ReadOnlySequence<byte> FromPieces(List<byte[]> pieces)
    {
        if (pieces.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new TestSegment(pieces[0]);
        var last = first;
        for (var i = 1; i < pieces.Count; i++)
        {
            last = last.Append(pieces[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class TestSegment : ReadOnlySequenceSegment<byte>
    {
        public TestSegment(ReadOnlyMemory<byte> memory, long runningIndex = 0)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public TestSegment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new TestSegment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
