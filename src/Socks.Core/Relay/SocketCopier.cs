using System.Buffers;
using System.Net.Sockets;
using Socks.Core.Metrics;

namespace Socks.Core.Relay;

/// <summary>
/// Copies one direction of a relay, from a source socket to a destination socket, until EOF or an
/// error. No allocation per chunk and no buffer while the source is quiet: it waits with a zero-byte
/// read, then rents a buffer from <see cref="ArrayPool{T}"/> and returns it as soon as the source has
/// nothing more (a full read keeps it for the next chunk). Back-pressure is the await on the write:
/// nothing is read while the destination does not take the previous chunk.
/// </summary>
internal sealed class SocketCopier
{
    private readonly Socket _source;
    private readonly Socket _destination;
    private readonly bool _fromClient;
    private readonly int _bufferSize;
    private readonly SocksMetrics _metrics;
    private readonly ActivityTimer? _idle;
    private readonly TrafficTap? _tap;
    private long _bytesCopied;

    /// <summary>Prepares a copier; <see cref="RunAsync"/> starts it.</summary>
    /// <param name="source">The socket to read.</param>
    /// <param name="destination">The socket to write.</param>
    /// <param name="fromClient">True when the source is the client leg (client to target).</param>
    /// <param name="bufferSize">The size of the buffer to rent for a chunk.</param>
    /// <param name="metrics">The server's counters.</param>
    /// <param name="idle">The session's idle timer, touched on every read and write, or null.</param>
    /// <param name="tap">The session's traffic observer, or null when the session is not watched.</param>
    public SocketCopier(Socket source, Socket destination, bool fromClient, int bufferSize, SocksMetrics metrics, ActivityTimer? idle, TrafficTap? tap)
    {
        _source = source;
        _destination = destination;
        _fromClient = fromClient;
        _bufferSize = bufferSize;
        _metrics = metrics;
        _idle = idle;
        _tap = tap;
    }

    /// <summary>Bytes written to the destination so far.</summary>
    public long BytesCopied => Volatile.Read(ref _bytesCopied);

    /// <summary>Copies until the source sends EOF (then shuts down sending on the destination) or an error.</summary>
    /// <returns>How the direction ended; never throws for socket errors.</returns>
    public async Task<CopyOutcome> RunAsync()
    {
        byte[]? buffer = null;
        var reading = true;
        try
        {
            while (true)
            {
                reading = true;
                if (buffer is null)
                {
                    // Completes when data (or EOF) is there, without holding memory meanwhile.
                    await _source.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(_bufferSize);
                }

                var read = await _source.ReceiveAsync(buffer.AsMemory(0, _bufferSize), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    reading = false;
                    _destination.Shutdown(SocketShutdown.Send);
                    return CopyOutcome.Completed;
                }

                _idle?.Touch();
                CountSource(read);

                reading = false;
                await WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                _idle?.Touch();
                CountDestination(read);
                _tap?.Observe(_fromClient, buffer.AsSpan(0, read));

                if (read < _bufferSize)
                {
                    // The source had no more for now: give the buffer back before waiting again.
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
        }
        catch (SocketException exception)
        {
            return new CopyOutcome(reading ? CopyResult.ReadFailed : CopyResult.WriteFailed, exception.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            // The relay was aborted (the session disposed the sockets) while this direction waited.
            return new CopyOutcome(reading ? CopyResult.ReadFailed : CopyResult.WriteFailed, SocketError.OperationAborted);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Forwards bytes the handshake already read from the client (data pipelined right behind the
    /// request). They were counted as read when the handshake read them.
    /// </summary>
    /// <param name="data">The bytes.</param>
    /// <returns>How the write ended.</returns>
    public async Task<CopyOutcome> ForwardPendingAsync(ReadOnlyMemory<byte> data)
    {
        try
        {
            await WriteAsync(data).ConfigureAwait(false);
        }
        catch (SocketException exception)
        {
            return new CopyOutcome(CopyResult.WriteFailed, exception.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            return new CopyOutcome(CopyResult.WriteFailed, SocketError.OperationAborted);
        }

        _idle?.Touch();
        CountDestination(data.Length);
        _tap?.Observe(_fromClient, data.Span);
        return CopyOutcome.Completed;
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await _destination.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    private void CountSource(int count)
    {
        if (_fromClient)
        {
            _metrics.ClientLegBytes(count);
        }
        else
        {
            _metrics.TargetLegBytes(count);
        }
    }

    private void CountDestination(int count)
    {
        // Only this copier writes the count; others read it after the relay (or for a live view).
        Volatile.Write(ref _bytesCopied, _bytesCopied + count);
        if (_fromClient)
        {
            _metrics.TargetLegBytes(count);
        }
        else
        {
            _metrics.ClientLegBytes(count);
        }
    }
}
