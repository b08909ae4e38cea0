using System.Buffers;

namespace Socks.Core.Tests.Support;

/// <summary>
/// Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, the shape a <c>PipeReader</c> hands out when a
/// message arrives in several reads, so readers are tested across every segment boundary.
/// </summary>
internal static class TestSequence
{
    /// <summary>A sequence made of exactly these segments, in order; empty segments are kept as real empty segments.</summary>
    public static ReadOnlySequence<byte> Create(params byte[][] segments)
    {
        if (segments.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (segments.Length == 1)
        {
            return new ReadOnlySequence<byte>(segments[0]);
        }

        var first = new Segment(segments[0], 0);
        var last = first;
        for (var i = 1; i < segments.Length; i++)
        {
            last = last.Append(segments[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Splits <paramref name="data"/> into segments at the given ascending offsets.</summary>
    public static ReadOnlySequence<byte> SplitAt(byte[] data, params int[] offsets)
    {
        var segments = new List<byte[]>();
        var start = 0;
        foreach (var offset in offsets)
        {
            segments.Add(data[start..offset]);
            start = offset;
        }

        segments.Add(data[start..]);
        return Create([.. segments]);
    }

    /// <summary>One segment per byte, the worst case a byte-at-a-time sender produces.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data) => Create([.. data.Select(b => new[] { b })]);

    /// <summary>One segment per byte with an empty segment before, between and after every byte.</summary>
    public static ReadOnlySequence<byte> WithEmptySegments(byte[] data)
    {
        var segments = new List<byte[]> { Array.Empty<byte>() };
        foreach (var b in data)
        {
            segments.Add([b]);
            segments.Add(Array.Empty<byte>());
        }

        return Create([.. segments]);
    }

    /// <summary>
    /// Every way to present <paramref name="data"/>: contiguous, split in two at each inner offset, one byte per
    /// segment, and with empty segments around every byte.
    /// </summary>
    public static IEnumerable<(string Description, ReadOnlySequence<byte> Sequence)> AllShapes(byte[] data)
    {
        yield return ("contiguous", new ReadOnlySequence<byte>(data));
        for (var split = 1; split < data.Length; split++)
        {
            yield return ($"split at {split}", SplitAt(data, split));
        }

        yield return ("one byte per segment", OneBytePerSegment(data));
        yield return ("empty segments between bytes", WithEmptySegments(data));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
