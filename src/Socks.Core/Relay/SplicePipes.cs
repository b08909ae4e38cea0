namespace Socks.Core.Relay;

/// <summary>
/// The pipes of the kernel relay. The idle pipes are opened up front (<see cref="Fill"/>). A direction holds a pipe only inside one synchronous step (splice in,
/// splice out, and, when the destination is full, a read of what is left into a buffer), never across an
/// await, so the number of pipes in use is bounded by the threads running relay steps at once, not by the
/// sessions: a few pipes serve thousands of sessions. Idle pipes are kept in a fixed set of slots (lock
/// free, no allocation once warm); a pipe that cannot be kept is closed.
/// </summary>
internal sealed class SplicePipes : IDisposable
{
    private readonly SplicePipe?[] _idle;
    private readonly int _size;
    private int _open;
    private bool _disposed;

    /// <summary>Creates the pool.</summary>
    /// <param name="size">The room asked for each pipe, in bytes (what one splice step can move).</param>
    /// <param name="idleSlots">How many idle pipes to keep open.</param>
    public SplicePipes(int size, int idleSlots)
    {
        _size = size;
        _idle = new SplicePipe?[idleSlots];
    }

    /// <summary>The pipes open now, idle or in use (each is two descriptors).</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Opens a pipe for every free slot, as far as descriptors allow.</summary>
    public void Fill()
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Volatile.Read(ref _idle[i]) is null && OpenPipe() is { } pipe && Interlocked.CompareExchange(ref _idle[i], pipe, null) is not null)
            {
                Close(pipe);
            }
        }
    }

    /// <summary>An empty pipe: an idle one, or a new one.</summary>
    /// <returns>The pipe, or null when no pipe can be opened (out of descriptors): the caller copies in user space.</returns>
    public SplicePipe? Rent()
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Volatile.Read(ref _idle[i]) is not null && Interlocked.Exchange(ref _idle[i], null) is { } pipe)
            {
                return pipe;
            }
        }

        return OpenPipe();
    }

    /// <summary>Gives a pipe back: kept when it is empty and a slot is free, closed otherwise.</summary>
    /// <param name="pipe">The pipe.</param>
    /// <param name="empty">False when bytes were left in it (a failed step): it is closed.</param>
    public void Return(SplicePipe pipe, bool empty)
    {
        if (empty && !Volatile.Read(ref _disposed))
        {
            for (var i = 0; i < _idle.Length; i++)
            {
                if (Interlocked.CompareExchange(ref _idle[i], pipe, null) is null)
                {
                    return;
                }
            }
        }

        Close(pipe);
    }

    /// <summary>Closes the idle pipes; pipes in use are closed when they come back.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Interlocked.Exchange(ref _idle[i], null) is { } pipe)
            {
                Close(pipe);
            }
        }
    }

    private SplicePipe? OpenPipe()
    {
        if (!SpliceNative.TryOpenPipe(_size, out var readEnd, out var writeEnd, out var capacity))
        {
            return null;
        }

        Interlocked.Increment(ref _open);
        return new SplicePipe(readEnd, writeEnd, capacity);
    }

    private void Close(SplicePipe pipe)
    {
        _ = SpliceNative.Close(pipe.ReadEnd);
        _ = SpliceNative.Close(pipe.WriteEnd);
        Interlocked.Decrement(ref _open);
    }
}

/// <summary>A pipe of the kernel relay: its two descriptors and its room.</summary>
/// <param name="ReadEnd">The read end.</param>
/// <param name="WriteEnd">The write end.</param>
/// <param name="Capacity">The bytes it holds at most.</param>
internal sealed record SplicePipe(int ReadEnd, int WriteEnd, int Capacity);
