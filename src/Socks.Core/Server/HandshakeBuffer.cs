using System.Buffers;

namespace Socks.Core.Server;

/// <summary>
/// The bytes a session has received but not yet parsed during its handshake, in one pooled array.
/// Whatever is left after the request (data the client pipelined behind it) is forwarded to the
/// target before the relay starts.
/// </summary>
internal sealed class HandshakeBuffer
{
    private byte[]? _array;
    private int _start;
    private int _end;

    /// <summary>Wraps a rented array; <see cref="Return"/> gives it back.</summary>
    /// <param name="array">The array, from <see cref="ArrayPool{T}.Shared"/>.</param>
    public HandshakeBuffer(byte[] array) => _array = array;

    /// <summary>The unparsed bytes.</summary>
    public ReadOnlySequence<byte> Data => new(Array, _start, _end - _start);

    /// <summary>The unparsed bytes as memory.</summary>
    public ReadOnlyMemory<byte> Pending => Array.AsMemory(_start, _end - _start);

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(HandshakeBuffer));

    /// <summary>Space to receive into, after moving the unparsed bytes to the front if needed.</summary>
    /// <returns>The free space; never empty, since a handshake message is at most half the buffer.</returns>
    public Memory<byte> GetFreeSpace()
    {
        var array = Array;
        if (_end == array.Length)
        {
            array.AsSpan(_start, _end - _start).CopyTo(array);
            _end -= _start;
            _start = 0;
        }

        return array.AsMemory(_end);
    }

    /// <summary>Records bytes received into <see cref="GetFreeSpace"/>.</summary>
    /// <param name="count">How many.</param>
    public void Advance(int count) => _end += count;

    /// <summary>Drops the bytes a reader consumed: <paramref name="rest"/> is what it left of <see cref="Data"/>.</summary>
    /// <param name="rest">The unconsumed remainder.</param>
    public void Consume(in ReadOnlySequence<byte> rest) => _start = _end - (int)rest.Length;

    /// <summary>Gives the array back to the pool (idempotent).</summary>
    public void Return()
    {
        if (_array is { } array)
        {
            _array = null;
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
