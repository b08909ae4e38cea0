using System.Net;
using Microsoft.Extensions.Logging;

namespace Socks.Core.Connectors.Direct;

/// <summary>
/// The server's name lookups, at most <c>maxConcurrent</c> at once, with a bounded wait queue: a resolver that never
/// answers can hold every slot, but never more threads or sessions than the limits allow.
/// </summary>
/// <remarks>
/// <para>A lookup takes a free slot at once, or waits in the queue (first come, first served) for one, within the
/// caller's token (the dial's deadline). A caller whose token fires leaves the queue at once and gets
/// <see cref="OperationCanceledException"/>; a waiting caller whose lookup started still gets it at the deadline,
/// while the lookup keeps its slot until it returns, because getaddrinfo cannot be cancelled. When the slots are
/// taken and the queue is full, a lookup fails at once with <see cref="ResolverSaturatedException"/> (the connector
/// replies X'01'), and the first such failure in <see cref="WarningThrottle.LimitWarningInterval"/> logs a warning.</para>
/// <para>The lookup step is called with <see cref="CancellationToken.None"/>: it owns its slot until its task
/// completes, whatever happens to the caller.</para>
/// </remarks>
internal sealed class BoundedResolver
{
    /// <summary>How many waiting lookups each slot admits to the queue.</summary>
    public const int QueuedPerSlot = 4;

    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _lookup;
    private readonly Func<IPAddress, Task<string>>? _reverse;
    private readonly int _maxConcurrent;
    private readonly int _maxQueued;
    private readonly ILogger? _logger;
    private readonly WarningThrottle _saturatedWarning;
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _queue = new();
    private int _running;

    /// <summary>Creates a resolver with no lookup running.</summary>
    /// <param name="lookup">The lookup step (the system resolver on its own threads, or a test's).</param>
    /// <param name="maxConcurrent">The most lookups running at once; positive.</param>
    /// <param name="maxQueued">The most lookups waiting for a slot; zero or more.</param>
    /// <param name="timeProvider">The clock of the warning throttle.</param>
    /// <param name="logger">Receives the saturation warning, or null.</param>
    /// <param name="reverse">The reverse (PTR) lookup step for <see cref="ReverseAsync"/>, or null for none.</param>
    public BoundedResolver(
        Func<string, CancellationToken, Task<IPAddress[]>> lookup,
        int maxConcurrent,
        int maxQueued,
        TimeProvider timeProvider,
        ILogger? logger,
        Func<IPAddress, Task<string>>? reverse = null)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueued);
        _lookup = lookup;
        _reverse = reverse;
        _maxConcurrent = maxConcurrent;
        _maxQueued = maxQueued;
        _logger = logger;
        _saturatedWarning = new WarningThrottle(timeProvider, WarningThrottle.LimitWarningInterval);
    }

    /// <summary>Lookups holding a slot now.</summary>
    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    /// <summary>Lookups waiting for a slot now.</summary>
    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Looks <paramref name="name"/> up in a slot, now or when one frees up.</summary>
    /// <param name="name">The host name.</param>
    /// <param name="cancellationToken">Gives up waiting (the dial's deadline); a running lookup is left to finish.</param>
    /// <returns>
    /// The lookup's task, or for a waiting caller a task that follows it; faulted with
    /// <see cref="ResolverSaturatedException"/> when no slot and no queue place is free; cancelled when the token fires
    /// while the caller waits in the queue.
    /// </returns>
    public Task<IPAddress[]> ResolveAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(() => _lookup(name, CancellationToken.None), cancellationToken);

    /// <summary>
    /// Looks the name of <paramref name="address"/> up (PTR, for RESOLVE_PTR) in a slot shared with the forward
    /// lookups, on the same terms as <see cref="ResolveAsync"/>.
    /// </summary>
    /// <param name="address">The address.</param>
    /// <param name="cancellationToken">Gives up waiting; a running lookup is left to finish.</param>
    /// <returns>The name; faulted, saturated or cancelled as <see cref="ResolveAsync"/>.</returns>
    /// <exception cref="InvalidOperationException">The resolver was made without a reverse lookup step.</exception>
    public Task<string> ReverseAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var reverse = _reverse ?? throw new InvalidOperationException("This resolver has no reverse lookup step.");
        return RunAsync(() => reverse(address), cancellationToken);
    }

    /// <summary>Runs <paramref name="lookup"/> in a slot, now or when one frees up.</summary>
    private Task<T> RunAsync<T>(Func<Task<T>> lookup, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        Waiter<T>? waiter = null;
        var saturated = false;
        var queued = 0;
        lock (_lock)
        {
            if (_running < _maxConcurrent)
            {
                _running++;
            }
            else if (_queue.Count < _maxQueued)
            {
                waiter = new Waiter<T>(this, lookup);
                waiter.Node = _queue.AddLast(waiter);
            }
            else
            {
                saturated = true;
                queued = _queue.Count;
            }
        }

        if (saturated)
        {
            if (_logger is not null && _saturatedWarning.TryWarn())
            {
                Log.ResolverSaturated(_logger, _maxConcurrent, queued);
            }

            return Task.FromException<T>(new ResolverSaturatedException());
        }

        if (waiter is null)
        {
            return Start(lookup);
        }

        // Registered after the waiter is queued: a token that fired in between runs the callback here, at once.
        waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
        return waiter.Done.Task;
    }

    /// <summary>Runs a lookup in a slot already taken, and hands the slot on when it completes.</summary>
    private Task<T> Start<T>(Func<Task<T>> step)
    {
        Task<T> lookup;
        try
        {
            lookup = step();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            lookup = Task.FromException<T>(ex);
        }

        lookup.ContinueWith(
            static (_, state) => ((BoundedResolver)state!).Release(),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return lookup;
    }

    /// <summary>Gives a freed slot to the first waiter, or frees it.</summary>
    private void Release()
    {
        Waiter? next;
        lock (_lock)
        {
            next = _queue.First?.Value;
            if (next is null)
            {
                _running--;
                return;
            }

            _queue.RemoveFirst();
            next.Node = null;
        }

        next.Registration.Dispose();
        next.StartInSlot();
    }

    /// <summary>A lookup waiting for a slot.</summary>
    private abstract class Waiter(BoundedResolver owner)
    {
        protected BoundedResolver Owner { get; } = owner;

        /// <summary>The place in the queue while queued; guarded by the owner's lock.</summary>
        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>Runs the lookup in the slot just handed over.</summary>
        public abstract void StartInSlot();

        public void Cancel(CancellationToken token)
        {
            lock (Owner._lock)
            {
                if (Node is null)
                {
                    // Already started: the caller's own wait ends at the deadline, the lookup keeps its slot.
                    return;
                }

                Owner._queue.Remove(Node);
                Node = null;
            }

            SetCanceled(token);
        }

        protected abstract void SetCanceled(CancellationToken token);
    }

    /// <summary>A waiting lookup with its result type.</summary>
    private sealed class Waiter<T>(BoundedResolver owner, Func<Task<T>> lookup) : Waiter(owner)
    {
        /// <summary>Completes as the lookup does, or cancelled when the caller gave up while queued.</summary>
        public TaskCompletionSource<T> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void StartInSlot() =>
            Owner.Start(lookup).ContinueWith(
                static (t, state) => ((TaskCompletionSource<T>)state!).TrySetFromTask(t),
                Done,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);

        protected override void SetCanceled(CancellationToken token) => Done.TrySetCanceled(token);
    }
}
