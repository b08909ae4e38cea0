using System.Globalization;
using System.Text;
using Socks.Core.Server;

namespace Socks.Core;

/// <summary>
/// One budget for every descriptor a process opens, derived from its descriptor limit (RLIMIT_NOFILE): what the
/// runtime already holds, a reserve for the runtime's own lazy work, named fixed parts (log files, an admin listener
/// and its connections, listeners), and what is left for SOCKS sessions at <see cref="DescriptorsPerSession"/> each.
/// </summary>
/// <remarks>
/// <para>A .NET process that runs out of descriptors inside the runtime can abort ("Out of memory.", SIGABRT), so
/// nothing the process opens on a client's behalf may take the descriptors the runtime needs: everything is counted
/// here, and the sessions get only what is left.</para>
/// <para><b>Arithmetic.</b> <c>limit = runtime + reserve + parts + session descriptors</c>, where <c>runtime</c> is
/// the number of descriptors open when the budget is created (/proc/self/fd: loaded assemblies, the console, epoll),
/// <c>reserve</c> is <see cref="ReserveDescriptors"/> whatever the limit, and each part is fixed by whoever
/// composes the process (<see cref="Reserve"/>, <see cref="ReserveUpTo"/>). The session descriptors are
/// shared: a session takes <see cref="DescriptorsPerSession"/> when it is admitted, and a command that needs more
/// (BIND and UDP ASSOCIATE need a third: a listening or UDP socket) charges them with <see cref="TryAcquire"/>
/// and gives them back with <see cref="Release"/>.</para>
/// <para><b>Thread safety.</b> Parts are fixed while the process is composed (one thread, before anything
/// listens); <see cref="TryAcquire"/> and <see cref="Release"/> may be called from any thread at any time.</para>
/// </remarks>
public sealed class DescriptorBudget
{
    /// <summary>Descriptors a relayed SOCKS session holds: the client's socket and the target's.</summary>
    public const int DescriptorsPerSession = 2;

    /// <summary>
    /// The <see cref="RuntimeReserve"/>, the same at every limit. What it covers (an assembly loaded late, a DNS
    /// lookup's files and socket, the runtime's own lazy work) does not grow with the limit or the load: the exhaustion
    /// tests never saw it use more than half of it, and a reserve that grew with the limit (an eighth of it, up to 256,
    /// before) only took sessions away from large limits.
    /// </summary>
    public const int ReserveDescriptors = 64;

    /// <summary>The share of the free descriptors one part taken with <see cref="ReserveUpTo"/> may have at most: a quarter.</summary>
    private const int LowerableShareDivisor = 4;

    private readonly Lock _partsLock = new();
    private readonly List<DescriptorBudgetPart> _parts = [];
    private long _partsTotal;
    private long _inUse;

    /// <summary>Creates the budget of a limit with some descriptors already open (tests, or a process that counted them itself).</summary>
    /// <param name="softLimit">The soft RLIMIT_NOFILE (at least 1).</param>
    /// <param name="openDescriptors">The descriptors open now: the runtime's part (at least 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public DescriptorBudget(long softLimit, long openDescriptors)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(softLimit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(openDescriptors);
        SoftLimit = softLimit;
        Runtime = openDescriptors;
        RuntimeReserve = ReserveDescriptors;
    }

    /// <summary>The budget of this process as it is now: its soft descriptor limit and the descriptors it holds.</summary>
    /// <returns>A budget with no parts yet.</returns>
    public static DescriptorBudget ForCurrentProcess() => new(DescriptorLimit.ReadSoftLimit(), DescriptorLimit.CountOpenDescriptors());

    /// <summary>The soft descriptor limit the budget divides.</summary>
    public long SoftLimit { get; }

    /// <summary>The descriptors that were open when the budget was created (the runtime and whatever the host opened first).</summary>
    public long Runtime { get; }

    /// <summary>Descriptors never handed out: the runtime's lazy work later (an assembly to load, a thread, a DNS lookup's files).</summary>
    public long RuntimeReserve { get; }

    /// <summary>The fixed parts, in the order they were reserved.</summary>
    public IReadOnlyList<DescriptorBudgetPart> Parts
    {
        get
        {
            lock (_partsLock)
            {
                return [.. _parts];
            }
        }
    }

    /// <summary>The descriptors left for SOCKS sessions (and the extra descriptors their commands charge), at least 0.</summary>
    public long SessionDescriptors => Math.Max(0, Free - Volatile.Read(ref _partsTotal));

    /// <summary>How many plain sessions (<see cref="DescriptorsPerSession"/> each) fit in <see cref="SessionDescriptors"/>; at least 1.</summary>
    public int MaxSessions => (int)Math.Clamp(SessionDescriptors / DescriptorsPerSession, 1, int.MaxValue);

    /// <summary>The session descriptors taken now by <see cref="TryAcquire"/> and not yet released.</summary>
    public long InUse => Volatile.Read(ref _inUse);

    /// <summary>What the limit leaves after the runtime and its reserve.</summary>
    private long Free => Math.Max(0, SoftLimit - Runtime - RuntimeReserve);

    /// <summary>Sets a fixed part aside: descriptors the process opens for itself whatever the load (log files, a listener).</summary>
    /// <param name="name">The part's name, as the startup line and SIGUSR1 show it.</param>
    /// <param name="descriptors">How many (at least 0).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="descriptors"/> is negative.</exception>
    public void Reserve(string name, int descriptors)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegative(descriptors);
        Add(new DescriptorBudgetPart(name, descriptors, descriptors, 0));
    }

    /// <summary>
    /// Sets a part aside for up to <paramref name="wanted"/> connections of one descriptor each, plus a fixed
    /// <paramref name="overhead"/> (a listener, a client being admitted): the part may take at most a quarter of the
    /// descriptors the runtime and its reserve leave, so <paramref name="wanted"/> is lowered to fit (never below 1).
    /// </summary>
    /// <param name="name">The part's name, as the startup line and SIGUSR1 show it.</param>
    /// <param name="wanted">The connection limit asked for (at least 1).</param>
    /// <param name="overhead">Descriptors the part needs besides one per connection (at least 0).</param>
    /// <returns>The connection limit granted: <paramref name="wanted"/>, or lower when the descriptors do not allow it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public int ReserveUpTo(string name, int wanted, int overhead)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(overhead);
        var share = Free / LowerableShareDivisor;
        var granted = (int)Math.Clamp(share - overhead, 1, wanted);
        Add(new DescriptorBudgetPart(name, granted + overhead, granted, overhead));
        return granted;
    }

    /// <summary>
    /// Takes <paramref name="descriptors"/> of the session descriptors, if that many are free. The server takes
    /// <see cref="DescriptorsPerSession"/> for every session it admits (a client past the budget is closed at once);
    /// a command that opens more sockets for its session (BIND's listener, UDP ASSOCIATE's relay socket) takes
    /// them here before it opens them, answers X'01' general failure when it gets false, and gives them back
    /// with <see cref="Release"/> once they are closed.
    /// </summary>
    /// <param name="descriptors">How many (at least 1).</param>
    /// <returns>True when taken; false when the budget has not that many left (nothing is taken).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="descriptors"/> is less than 1.</exception>
    public bool TryAcquire(int descriptors)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(descriptors, 1);
        var limit = SessionDescriptors;
        var current = Volatile.Read(ref _inUse);
        while (true)
        {
            if (current + descriptors > limit)
            {
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _inUse, current + descriptors, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }

    /// <summary>Gives back descriptors taken with <see cref="TryAcquire"/>, once the sockets they stood for are closed.</summary>
    /// <param name="descriptors">How many (at least 1; never more than were taken).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="descriptors"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">More were released than taken (a bug of the caller).</exception>
    public void Release(int descriptors)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(descriptors, 1);
        if (Interlocked.Add(ref _inUse, -descriptors) < 0)
        {
            Interlocked.Add(ref _inUse, descriptors);
            throw new InvalidOperationException("More descriptors were released than acquired.");
        }
    }

    /// <summary>
    /// The budget in one line, as the startup line and SIGUSR1 show it:
    /// <c>limit 1024 = runtime 118 + reserve 128 + log files 4 + ... + sessions 385 × 2 (+1 spare)</c>.
    /// </summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"limit {SoftLimit} = runtime {Runtime} + reserve {RuntimeReserve}");
        foreach (var part in Parts)
        {
            text.Append(" + ").Append(part);
        }

        var sessions = SessionDescriptors;
        text.Append(CultureInfo.InvariantCulture, $" + sessions {sessions / DescriptorsPerSession} × {DescriptorsPerSession}");
        if (sessions % DescriptorsPerSession != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" (+{sessions % DescriptorsPerSession} spare)");
        }

        return text.ToString();
    }

    private void Add(DescriptorBudgetPart part)
    {
        lock (_partsLock)
        {
            if (_parts.Exists(p => p.Name == part.Name))
            {
                throw new InvalidOperationException($"The descriptor budget already has a part named '{part.Name}'.");
            }

            _parts.Add(part);
            Interlocked.Add(ref _partsTotal, part.Descriptors);
        }
    }
}
