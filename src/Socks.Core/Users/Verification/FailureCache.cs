using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Socks.Core.Users.Verification;

/// <summary>
/// Remembers recent failed password checks so that a client repeating the same wrong password
/// costs one HMAC instead of one PBKDF2 each time. Direct-mapped: a fixed array of slots, each
/// holding one keyed MAC; a new failure overwrites whatever shared its slot. Bounded in memory,
/// lock-free, and losing an entry only costs a derivation.
/// </summary>
/// <remarks>
/// Entries are MACs of (record nonce, password) under a process-random key, so they reveal
/// nothing about the password and stop matching once the record is removed or replaced.
/// </remarks>
internal sealed class FailureCache
{
    public const int MacSize = HMACSHA256.HashSizeInBytes;

    private readonly byte[]?[] _slots;

    public FailureCache(int slotCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slotCount, 1);
        _slots = new byte[]?[slotCount];
    }

    public bool Contains(ReadOnlySpan<byte> mac)
    {
        var entry = Volatile.Read(ref _slots[SlotOf(mac)]);
        return entry is not null && CryptographicOperations.FixedTimeEquals(entry, mac);
    }

    public void Add(ReadOnlySpan<byte> mac) => Volatile.Write(ref _slots[SlotOf(mac)], mac.ToArray());

    // The MAC is uniformly distributed, so its first bytes are a fine slot index.
    private int SlotOf(ReadOnlySpan<byte> mac) => (int)(BinaryPrimitives.ReadUInt32LittleEndian(mac) % (uint)_slots.Length);
}
