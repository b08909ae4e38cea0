using System.Net;

namespace Socks.Core.Connectors.Direct;

/// <summary>
/// Runs blocking name lookups (<see cref="Dns.GetHostAddresses(string)"/>, which is getaddrinfo on Linux) on a few
/// threads of its own, never on the thread pool.
/// </summary>
/// <remarks>
/// <para>Why not <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>: on Linux .NET runs the blocking
/// getaddrinfo on a thread-pool thread, and cancelling only abandons the wait, not the call. A resolver that
/// swallows queries holds such a thread for the whole glibc retry cycle (timeout × attempts, 10 s and more); a burst
/// of those starves the pool, and every session's continuations, the time-limit replies and the relays of sessions
/// that never asked for a name included, wait for the pool's slow thread injection (issue 18: REP X'06' after 64 s
/// for a 3 s connect timeout).</para>
/// <para>Threads start on demand, at most <c>maxThreads</c>, and end after <see cref="IdleTimeout"/> without work,
/// so an idle proxy holds none. A lookup that never returns holds its thread; <see cref="BoundedResolver"/> bounds
/// how many lookups can be running, so the thread count stays bounded too.</para>
/// </remarks>
internal sealed class LookupThreads
{
    /// <summary>How long a thread with nothing to do stays for the next lookup.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    private readonly int _maxThreads;
    private readonly Func<string, IPAddress[]> _lookup;
    private readonly Func<IPAddress, string> _reverse;
    // An object, not a Lock: the threads wait on it with Monitor.Wait.
    private readonly object _lock = new();
    private readonly Queue<Action> _work = new();
    private int _threads;
    private int _idle;

    /// <summary>Creates the (threadless) set.</summary>
    /// <param name="maxThreads">The most threads ever running; positive.</param>
    /// <param name="lookup">The blocking lookup; null for <see cref="Dns.GetHostAddresses(string)"/>.</param>
    /// <param name="reverse">The blocking reverse (PTR) lookup; null for the host name of <see cref="Dns.GetHostEntry(IPAddress)"/>.</param>
    public LookupThreads(int maxThreads, Func<string, IPAddress[]>? lookup = null, Func<IPAddress, string>? reverse = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        _maxThreads = maxThreads;
        _lookup = lookup ?? Dns.GetHostAddresses;
        _reverse = reverse ?? (address => Dns.GetHostEntry(address).HostName);
    }

    /// <summary>Threads alive now (working or idle).</summary>
    public int Threads
    {
        get
        {
            lock (_lock)
            {
                return _threads;
            }
        }
    }

    /// <summary>Queues a lookup for the next free thread.</summary>
    /// <param name="name">The host name.</param>
    /// <returns>The addresses, or the lookup's exception; continuations never run on a lookup thread.</returns>
    public Task<IPAddress[]> LookupAsync(string name) => Run(name, _lookup);

    /// <summary>Queues a reverse (PTR) lookup for the next free thread.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The name, or the lookup's exception; continuations never run on a lookup thread.</returns>
    public Task<string> ReverseLookupAsync(IPAddress address) => Run(address, _reverse);

    private Task<TResult> Run<TArgument, TResult>(TArgument argument, Func<TArgument, TResult> lookup)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = false;
        lock (_lock)
        {
            _work.Enqueue(() =>
            {
                try
                {
                    done.TrySetResult(lookup(argument));
                }
                catch (Exception ex)
                {
                    // The caller decides what a failed lookup means (SocketException: no such name); this thread only
                    // carries it over.
                    done.TrySetException(ex);
                }
            });

            // Idle threads each take one item after the pulse; a thread starts only for the items they cannot take.
            if (_work.Count > _idle && _threads < _maxThreads)
            {
                _threads++;
                start = true;
            }
            else
            {
                Monitor.Pulse(_lock);
            }
        }

        if (start)
        {
            new Thread(Work, maxStackSize: 0) { IsBackground = true, Name = "socks-dns" }.Start();
        }

        return done.Task;
    }

    private void Work()
    {
        while (true)
        {
            Action item;
            lock (_lock)
            {
                while (_work.Count == 0)
                {
                    _idle++;
                    var woken = Monitor.Wait(_lock, IdleTimeout);
                    _idle--;
                    if (!woken && _work.Count == 0)
                    {
                        _threads--;
                        return;
                    }
                }

                item = _work.Dequeue();
            }

            item();
        }
    }
}
