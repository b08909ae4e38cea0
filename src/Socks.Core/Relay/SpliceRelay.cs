namespace Socks.Core.Relay;

/// <summary>
/// The kernel relay (Linux): sessions whose bytes nothing needs to see are relayed with <see cref="SpliceCopier"/>s;
/// sessions with a traffic tap go to the user-space relay. Chosen per session; one instance serves every session
/// of a server and owns the pipe pool.
/// </summary>
internal sealed class SpliceRelay : IRelay, IDisposable
{
    private readonly UserSpaceRelay _userSpace;
    private readonly SplicePipes _pipes;
    private long _stalls;

    /// <summary>
    /// The room asked for each pipe: what one splice step moves at most. 256 KiB took about half the CPU per byte
    /// of 64 KiB (the pipe's default) in a 1 GiB push on loopback, and no more than 1 MiB (docs/benchmarks.md,
    /// "Kernel relay"). Pipes are few (see <see cref="SplicePipes"/>), so their size costs little memory.
    /// </summary>
    public const int DefaultPipeSize = 256 * 1024;

    /// <summary>The descriptor budget's part for the pipes kept open.</summary>
    public const string BudgetPart = "relay pipes";

    /// <summary>Idle pipes kept open: a few per core (pipes are held only inside a synchronous step).</summary>
    public static int IdlePipes => 4 * Environment.ProcessorCount;

    /// <summary>The descriptors of the pipes kept open (two each), set aside in the descriptor budget.</summary>
    public static int Descriptors => 2 * IdlePipes;

    /// <summary>Creates the relay.</summary>
    /// <param name="bufferSize">The user-space relay's buffer size, also used when no pipe can be opened.</param>
    /// <param name="pipeSize">The room asked for each pipe.</param>
    public SpliceRelay(int bufferSize, int pipeSize = DefaultPipeSize)
    {
        _userSpace = new UserSpaceRelay(bufferSize);

        // Opened now, so the descriptors the relay keeps are there from the start and never grow with the load.
        _pipes = new SplicePipes(pipeSize, IdlePipes);
        _pipes.Fill();
    }

    /// <summary>Whether this system can splice between sockets (Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Whether a server with these options relays with this relay (asked for, no relay of its own, Linux).</summary>
    /// <param name="options">The server's options.</param>
    /// <returns>True when the server creates a <see cref="SpliceRelay"/>.</returns>
    public static bool IsChosen(SocksServerOptions options) => options.Relay is null && options.KernelRelay && IsSupported;

    /// <summary>The pipe pool (for tests: how many pipes are open).</summary>
    internal SplicePipes Pipes => _pipes;

    /// <summary>How many times a destination was full and the rest of a pipe went through user space.</summary>
    internal long Stalls => Volatile.Read(ref _stalls);

    /// <inheritdoc/>
    public Task<RelayResult> RelayAsync(RelayRequest request) =>
        request.Hooks.SeeBytes ? _userSpace.RelayAsync(request) : SpliceAsync(request);

    /// <summary>Closes the idle pipes.</summary>
    public void Dispose() => _pipes.Dispose();

    private IDirectionCopier Copier(System.Net.Sockets.Socket source, System.Net.Sockets.Socket destination, bool fromClient, RelayRequest request, DirectionHooks? hooks, int size) =>
        hooks?.Throttle is not null
            ? new SocketCopier(source, destination, fromClient, size, request.Traffic, hooks)
            : new SpliceCopier(source, destination, fromClient, request.Traffic, hooks, this, size);

    /// <summary>Counts a stall (a rare path: a destination with no room).</summary>
    internal void CountStall() => Interlocked.Increment(ref _stalls);

    private async Task<RelayResult> SpliceAsync(RelayRequest request)
    {
        try
        {
            // A splice into a blocking socket would hold a thread while the peer does not read. The runtime made both
            // descriptors non-blocking with their first asynchronous call and remembers it: for those this costs no
            // system call; a socket an embedder connected synchronously gets its fcntl here.
            request.Client.Blocking = false;
            request.Target.Blocking = false;
        }
        catch (ObjectDisposedException)
        {
            // Aborted before the relay started: the copiers report it as the user-space ones would.
        }

        var size = _userSpace.BufferSize;

        // A direction under a bandwidth limit is copied in user space (the throttle needs the chunk's size before it
        // goes out); the other direction of the same session stays in the kernel.
        using var clientToTarget = Copier(request.Client, request.Target, fromClient: true, request, request.Hooks.ClientToTarget, size);
        using var targetToClient = Copier(request.Target, request.Client, fromClient: false, request, request.Hooks.TargetToClient, size);
        return await RelayCoordinator.RunAsync(request, clientToTarget, targetToClient).ConfigureAwait(false);
    }
}
