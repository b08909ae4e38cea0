using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Socks.Core.Users;

/// <summary>
/// Counts failed logins per client address and blocks an address that failed <c>limit</c> times within
/// <c>window</c> for <c>backoff</c>: its attempts are then refused without any password check. IPv4
/// addresses (also IPv4-mapped IPv6 ones) count one by one, IPv6 addresses by their /64, the block an
/// end user usually gets.
/// </summary>
/// <remarks>
/// Bounded memory: a fixed table of <see cref="Slots"/> entries, the slot chosen by a per-process
/// randomized hash of the address. An address takes over a slot held by another one unless that one is
/// blocked now (blocked entries are the ones worth keeping), so a sweep over many addresses can only
/// forget counts of addresses that are not blocked. One short lock per failure or blocked check: no
/// password work is ever done under it.
/// </remarks>
internal sealed class AddressThrottle
{
    /// <summary>The table size: 4096 entries of 40 bytes.</summary>
    public const int Slots = 4096;

    private readonly Lock _lock = new();
    private readonly Entry[] _entries = new Entry[Slots];
    private readonly int _limit;
    private readonly TimeSpan _window;
    private readonly TimeSpan _backoff;

    public AddressThrottle(int limit, TimeSpan window, TimeSpan backoff)
    {
        _limit = limit;
        _window = window;
        _backoff = backoff;
    }

    /// <summary>False when the throttle is off (a limit of 0).</summary>
    public bool IsEnabled => _limit > 0;

    /// <summary>True when <paramref name="address"/> is in its back-off now.</summary>
    public bool IsBlocked(IPAddress address, TimeProvider time)
    {
        if (!IsEnabled)
        {
            return false;
        }

        var key = KeyOf(address);
        var now = time.GetTimestamp();
        lock (_lock)
        {
            ref var entry = ref _entries[SlotOf(key)];
            return entry.Used && entry.Key == key && IsBlocked(ref entry, now, time);
        }
    }

    /// <summary>Counts a failed login of <paramref name="address"/>.</summary>
    /// <returns>True when this failure started the address's back-off.</returns>
    public bool RecordFailure(IPAddress address, TimeProvider time)
    {
        if (!IsEnabled)
        {
            return false;
        }

        var key = KeyOf(address);
        var now = time.GetTimestamp();
        lock (_lock)
        {
            ref var entry = ref _entries[SlotOf(key)];
            if (!entry.Used || entry.Key != key)
            {
                if (entry.Used && IsBlocked(ref entry, now, time))
                {
                    return false;
                }

                entry = new Entry { Key = key, Used = true, WindowStart = now };
            }
            else if (IsBlocked(ref entry, now, time))
            {
                // A check that was already running when the block began: the block is not extended.
                return false;
            }

            if (time.GetElapsedTime(entry.WindowStart, now) >= _window)
            {
                entry.Failures = 0;
                entry.WindowStart = now;
            }

            if (++entry.Failures < _limit)
            {
                return false;
            }

            entry.Failures = 0;
            entry.WindowStart = now;
            entry.Blocked = true;
            entry.BlockedAt = now;
            return true;
        }
    }

    private bool IsBlocked(ref Entry entry, long now, TimeProvider time)
    {
        if (entry.Blocked && time.GetElapsedTime(entry.BlockedAt, now) >= _backoff)
        {
            // The back-off is over: the address starts again with a fresh window.
            entry.Blocked = false;
            entry.Failures = 0;
            entry.WindowStart = now;
        }

        return entry.Blocked;
    }

    /// <summary>IPv4 as itself, IPv6 by its /64, tagged so the two never meet.</summary>
    private static UInt128 KeyOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return new UInt128(4, BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        return new UInt128(6, BinaryPrimitives.ReadUInt64BigEndian(bytes));
    }

    // HashCode is seeded at random per process: which addresses share a slot cannot be planned.
    private static int SlotOf(UInt128 key) => (int)((uint)HashCode.Combine(key) % Slots);

    private struct Entry
    {
        public UInt128 Key;
        public bool Used;
        public bool Blocked;
        public int Failures;
        public long WindowStart;
        public long BlockedAt;
    }
}
