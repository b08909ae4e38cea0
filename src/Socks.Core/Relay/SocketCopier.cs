using System.Buffers;
using System.Net.Sockets;
using Socks.Core.Metrics;

namespace Socks.Core.Relay;

/// <summary>
/// Copies one direction of a relay, from a source socket to a destination socket, until EOF or an
/// error. No allocation per chunk and no buffer while the source is quiet: it waits with a zero-byte
/// read, then rents a buffer from <see cref="ArrayPool{T}"/> and returns it as soon as the source has
/// nothing more (a full read keeps it for the next chunk). Back-pressure is the await on the write:
/// nothing is read while the destination does not take the previous chunk. Bytes are counted in the
/// session's <see cref="SessionTraffic"/> (plain stores: this copier is the only writer of its two
/// counters): bytes read as the kernel hands them over, bytes written as the kernel accepts them, so a
/// write that fails part way counts the part that went out. Idle activity and the traffic tap go through
/// <see cref="DirectionHooks"/>, which is null when neither is switched on.
/// </summary>
internal sealed class SocketCopier : IDirectionCopier
{
    private readonly Socket _source;
    private readonly Socket _destination;
    private readonly bool _fromClient;
    private readonly int _bufferSize;
    private readonly SessionTraffic _traffic;
    private readonly DirectionHooks? _hooks;
    // Created by the first send: an idle direction holds no send operation (a SocketAsyncEventArgs, 272 bytes).
    private SocketSender? _sender;

    /// <summary>Prepares a copier; <see cref="RunAsync"/> starts it.</summary>
    /// <param name="source">The socket to read.</param>
    /// <param name="destination">The socket to write.</param>
    /// <param name="fromClient">True when the source is the client leg (client to target).</param>
    /// <param name="bufferSize">The size of the buffer to rent for a chunk.</param>
    /// <param name="traffic">The session's byte counters.</param>
    /// <param name="hooks">This direction's hooks, or null when nothing watches it.</param>
    public SocketCopier(Socket source, Socket destination, bool fromClient, int bufferSize, SessionTraffic traffic, DirectionHooks? hooks)
    {
        _source = source;
        _destination = destination;
        _fromClient = fromClient;
        _bufferSize = bufferSize;
        _traffic = traffic;
        _hooks = hooks;
    }

    /// <inheritdoc/>
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

                var size = _hooks?.ReadSize(_bufferSize) ?? _bufferSize;
                var read = await _source.ReceiveAsync(buffer.AsMemory(0, size), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    reading = false;
                    _destination.Shutdown(SocketShutdown.Send);
                    return CopyOutcome.Completed;
                }

                _hooks?.Received();
                CountSource(read);

                reading = false;
                if (_hooks?.Throttle is not null)
                {
                    // The user's bandwidth limit: nothing more is read until this chunk may go.
                    await _hooks.ThrottleAsync(read).ConfigureAwait(false);
                }

                var error = await WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                if (error != SocketError.Success)
                {
                    return new CopyOutcome(CopyResult.WriteFailed, error);
                }

                _hooks?.Forwarded(buffer.AsSpan(0, read));

                if (read < size)
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
        catch (Exception exception) when (exception is ObjectDisposedException or OperationCanceledException)
        {
            // The relay was aborted (the session disposed the sockets, or cancelled a wait for the bandwidth limit).
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

    /// <inheritdoc/>
    public async Task<CopyOutcome> ForwardPendingAsync(ReadOnlyMemory<byte> data)
    {
        SocketError error;
        try
        {
            if (_hooks?.Throttle is not null)
            {
                await _hooks.ThrottleAsync(data.Length).ConfigureAwait(false);
            }

            error = await WriteAsync(data).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ObjectDisposedException or OperationCanceledException)
        {
            return new CopyOutcome(CopyResult.WriteFailed, SocketError.OperationAborted);
        }

        if (error != SocketError.Success)
        {
            return new CopyOutcome(CopyResult.WriteFailed, error);
        }

        _hooks?.Forwarded(data.Span);
        return CopyOutcome.Completed;
    }

    /// <summary>Gives back the send operation; once no send is pending.</summary>
    public void Dispose() => _sender?.Dispose();

    /// <summary>Writes all of <paramref name="data"/>, counting what the kernel accepts as it goes.</summary>
    /// <returns><see cref="SocketError.Success"/>, or the error that stopped the write.</returns>
    private async ValueTask<SocketError> WriteAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sender = _sender ??= new SocketSender();
            var sent = await sender.SendAsync(_destination, data).ConfigureAwait(false);
            CountDestination(sent);

            // Where the access log counts the bytes, so the quota and the records agree; may close the session.
            _hooks?.Transferred(sent);
            if (sender.SocketError != SocketError.Success)
            {
                return sender.SocketError;
            }

            data = data[sent..];
        }

        return SocketError.Success;
    }

    private void CountSource(int count) => DirectionCounts.AddRead(_traffic, _fromClient, count);

    private void CountDestination(int count) => DirectionCounts.AddWritten(_traffic, _fromClient, count);
}
