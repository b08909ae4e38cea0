using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Socks.Core.Metrics;

namespace Socks.Core.Relay;

/// <summary>
/// Copies one direction of a relay inside the kernel: <c>splice(2)</c> from the source socket into a pooled pipe,
/// then from the pipe into the destination socket, so the bytes never reach user space. Readiness comes from the
/// runtime's socket engine (a zero-byte receive, as in <see cref="SocketCopier"/>), so an idle direction holds no
/// pipe, no buffer and no thread. When the destination has no room for what the pipe holds, the rest is read out
/// of the pipe into a pooled buffer and sent through the runtime, which waits for the destination to drain; nothing
/// more is read from the source meanwhile, so back-pressure holds and the proxy buffers at most one pipe's worth per
/// direction. Bytes are counted as the kernel moves them, as the user-space copier counts them. Linux only.
/// </summary>
/// <remarks>
/// Each system call holds a reference on both sockets' handles, so an abort that closes a socket meanwhile cannot
/// free its descriptor number for reuse under the call; the call then fails with <c>EBADF</c> or the next step
/// finds the handle closed, and the direction reports <see cref="SocketError.OperationAborted"/>.
/// </remarks>
internal sealed class SpliceCopier : IDirectionCopier
{
    private readonly Socket _source;
    private readonly Socket _destination;
    private readonly bool _fromClient;
    private readonly SessionTraffic _traffic;
    private readonly DirectionHooks? _hooks;
    private readonly SpliceRelay _relay;
    private readonly SplicePipes _pipes;
    private readonly int _fallbackSize;
    // Created by the first send: an idle direction holds no send operation (a SocketAsyncEventArgs, 272 bytes).
    private SocketSender? _sender;

    /// <summary>Prepares a copier; <see cref="RunAsync"/> starts it.</summary>
    /// <param name="source">The socket to read (non-blocking: the runtime made it so with its first asynchronous call).</param>
    /// <param name="destination">The socket to write.</param>
    /// <param name="fromClient">True when the source is the client leg (client to target).</param>
    /// <param name="traffic">The session's byte counters.</param>
    /// <param name="hooks">This direction's hooks (idle activity only: a session with a traffic tap is not spliced), or null.</param>
    /// <param name="relay">The relay: its pipe pool and its count of stalls.</param>
    /// <param name="fallbackSize">The buffer to read into when no pipe can be opened.</param>
    public SpliceCopier(Socket source, Socket destination, bool fromClient, SessionTraffic traffic, DirectionHooks? hooks, SpliceRelay relay, int fallbackSize)
    {
        _source = source;
        _destination = destination;
        _fromClient = fromClient;
        _traffic = traffic;
        _hooks = hooks;
        _relay = relay;
        _pipes = relay.Pipes;
        _fallbackSize = fallbackSize;
    }

    private enum StepKind : byte
    {
        /// <summary>Everything read went out.</summary>
        Moved,

        /// <summary>The source had nothing after all (a spurious wake-up).</summary>
        Nothing,

        /// <summary>The source sent EOF.</summary>
        EndOfStream,

        /// <summary>The destination was full: the rest is in a rented buffer, to be sent through the runtime.</summary>
        Stalled,

        /// <summary>No pipe could be opened: copy this chunk in user space.</summary>
        NoPipe,

        /// <summary>A call failed.</summary>
        Failed,
    }

    /// <inheritdoc/>
    public async Task<CopyOutcome> RunAsync()
    {
        var reading = true;
        try
        {
            while (true)
            {
                reading = true;

                // Completes when data (or EOF) is there, without holding a pipe or a buffer meanwhile.
                await _source.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                var step = TakeStep();

                // After the step: its socket references are released, so a quota that runs out may close the sockets.
                _hooks?.Transferred(step.Written);
                switch (step.Kind)
                {
                    case StepKind.Moved:
                    case StepKind.Nothing:
                        continue;
                    case StepKind.EndOfStream:
                        reading = false;
                        _destination.Shutdown(SocketShutdown.Send);
                        return CopyOutcome.Completed;
                    case StepKind.Failed:
                        return new CopyOutcome(step.Failure, step.Error);
                }

                var (buffer, length) = step.Kind == StepKind.Stalled ? (step.Buffer!, step.Length) : (ArrayPool<byte>.Shared.Rent(_fallbackSize), 0);
                try
                {
                    if (step.Kind == StepKind.NoPipe)
                    {
                        length = await _source.ReceiveAsync(buffer.AsMemory(0, _fallbackSize), SocketFlags.None).ConfigureAwait(false);
                        if (length == 0)
                        {
                            reading = false;
                            _destination.Shutdown(SocketShutdown.Send);
                            return CopyOutcome.Completed;
                        }

                        _hooks?.Received();
                        DirectionCounts.AddRead(_traffic, _fromClient, length);
                    }

                    reading = false;
                    var error = await WriteAsync(buffer.AsMemory(0, length)).ConfigureAwait(false);
                    if (error != SocketError.Success)
                    {
                        return new CopyOutcome(CopyResult.WriteFailed, error);
                    }

                    _hooks?.Moved();
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
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
    }

    /// <inheritdoc/>
    public async Task<CopyOutcome> ForwardPendingAsync(ReadOnlyMemory<byte> data)
    {
        SocketError error;
        try
        {
            error = await WriteAsync(data).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return new CopyOutcome(CopyResult.WriteFailed, SocketError.OperationAborted);
        }

        if (error != SocketError.Success)
        {
            return new CopyOutcome(CopyResult.WriteFailed, error);
        }

        _hooks?.Moved();
        return CopyOutcome.Completed;
    }

    /// <summary>Gives back the send operation; once no send is pending.</summary>
    public void Dispose() => _sender?.Dispose();

    /// <summary>One synchronous step: as much as the source has (up to a pipe's room) into a pipe and out again.</summary>
    /// <exception cref="ObjectDisposedException">A socket was closed (the relay was aborted).</exception>
    private Step TakeStep()
    {
        if (_pipes.Rent() is not { } pipe)
        {
            return new Step(StepKind.NoPipe);
        }

        var empty = true;
        bool sourceReferenced = false, destinationReferenced = false;
        try
        {
            _source.SafeHandle.DangerousAddRef(ref sourceReferenced);
            _destination.SafeHandle.DangerousAddRef(ref destinationReferenced);
            var source = (int)_source.SafeHandle.DangerousGetHandle();
            var destination = (int)_destination.SafeHandle.DangerousGetHandle();

            var read = Call(source, pipe.WriteEnd, pipe.Capacity, out var errno);
            if (read == 0)
            {
                return new Step(StepKind.EndOfStream);
            }

            if (read < 0)
            {
                return errno == SpliceNative.WouldBlock
                    ? new Step(StepKind.Nothing)
                    : new Step(StepKind.Failed) { Failure = CopyResult.ReadFailed, Error = SpliceNative.ToSocketError(errno) };
            }

            _hooks?.Received();
            DirectionCounts.AddRead(_traffic, _fromClient, read);
            empty = false;
            var left = read;
            while (left > 0)
            {
                var written = Call(pipe.ReadEnd, destination, left, out errno);
                if (written > 0)
                {
                    DirectionCounts.AddWritten(_traffic, _fromClient, written);
                    left -= written;
                    continue;
                }

                if (errno != SpliceNative.WouldBlock)
                {
                    return new Step(StepKind.Failed) { Failure = CopyResult.WriteFailed, Error = SpliceNative.ToSocketError(errno), Written = read - left };
                }

                // The destination is full: empty the pipe into a buffer, and let the runtime wait for room.
                var buffer = ArrayPool<byte>.Shared.Rent(left);
                if (!Drain(pipe, buffer, left))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new Step(StepKind.Failed) { Failure = CopyResult.WriteFailed, Error = SocketError.SocketError, Written = read - left };
                }

                empty = true;
                _relay.CountStall();
                return new Step(StepKind.Stalled) { Buffer = buffer, Length = left, Written = read - left };
            }

            empty = true;
            _hooks?.Moved();
            return new Step(StepKind.Moved) { Written = read };
        }
        finally
        {
            if (destinationReferenced)
            {
                _destination.SafeHandle.DangerousRelease();
            }

            if (sourceReferenced)
            {
                _source.SafeHandle.DangerousRelease();
            }

            _pipes.Return(pipe, empty);
        }
    }

    /// <summary>One splice, retried when a signal interrupts it.</summary>
    private static int Call(int input, int output, int length, out int errno)
    {
        while (true)
        {
            var moved = SpliceNative.Splice(input, 0, output, 0, (nuint)length, SpliceNative.Move | SpliceNative.NonBlock);
            errno = moved < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (errno != SpliceNative.Interrupted)
            {
                return (int)moved;
            }
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes that are in the pipe into <paramref name="buffer"/>.</summary>
    private static bool Drain(SplicePipe pipe, byte[] buffer, int count)
    {
        var done = 0;
        while (done < count)
        {
            var read = (int)SpliceNative.Read(pipe.ReadEnd, ref buffer[done], (nuint)(count - done));
            if (read > 0)
            {
                done += read;
            }
            else if (read == 0 || Marshal.GetLastPInvokeError() != SpliceNative.Interrupted)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes all of <paramref name="data"/> through the runtime, counting what the kernel accepts as it goes.</summary>
    private async ValueTask<SocketError> WriteAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sender = _sender ??= new SocketSender();
            var sent = await sender.SendAsync(_destination, data).ConfigureAwait(false);
            DirectionCounts.AddWritten(_traffic, _fromClient, sent);

            // Outside any splice step: no socket reference is held here.
            _hooks?.Transferred(sent);
            if (sender.SocketError != SocketError.Success)
            {
                return sender.SocketError;
            }

            data = data[sent..];
        }

        return SocketError.Success;
    }

    /// <summary>What a synchronous step did.</summary>
    private readonly struct Step
    {
        public Step(StepKind kind) => Kind = kind;

        public StepKind Kind { get; }

        public CopyResult Failure { get; init; }

        public SocketError Error { get; init; }

        public byte[]? Buffer { get; init; }

        public int Length { get; init; }

        /// <summary>Bytes the step spliced into the destination.</summary>
        public int Written { get; init; }
    }
}
