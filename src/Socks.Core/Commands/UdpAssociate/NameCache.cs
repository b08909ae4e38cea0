using System.Net;

namespace Socks.Core.Commands.UdpAssociate;

/// <summary>
/// The answers of recent name lookups of one association: a few entries for a few seconds, so a client that sends
/// every datagram to a name costs one lookup per name and <see cref="TimeToLive"/>, not one per datagram.
/// </summary>
/// <remarks>
/// Used only by the association's client-side loop (one thread at a time). A lookup compares bytes: no string is
/// made for a name found. Failed lookups are remembered too (an empty answer), so a flood of datagrams to a name that
/// does not resolve costs one lookup per period. When full, the oldest entry is replaced.
/// </remarks>
internal sealed class NameCache(TimeProvider time)
{
    /// <summary>How many names are remembered.</summary>
    public const int Capacity = 16;

    /// <summary>How long an answer is used: short, since the association does not see the records' TTLs.</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(5);

    private readonly Entry[] _entries = new Entry[Capacity];

    /// <summary>Finds the live answer for <paramref name="name"/>.</summary>
    /// <param name="name">The name's bytes as the datagram carries them.</param>
    /// <param name="addresses">The addresses (empty when the lookup failed), when found.</param>
    /// <returns>True when a live answer is remembered.</returns>
    public bool TryGet(ReadOnlySpan<byte> name, out IPAddress[] addresses)
    {
        var now = time.GetTimestamp();
        foreach (var entry in _entries)
        {
            if (entry.Name is not null && name.SequenceEqual(entry.Name) && time.GetElapsedTime(entry.Stored, now) < TimeToLive)
            {
                addresses = entry.Addresses;
                return true;
            }
        }

        addresses = [];
        return false;
    }

    /// <summary>Remembers an answer, in place of an older one for the same name, or of the oldest.</summary>
    /// <param name="name">The name's bytes.</param>
    /// <param name="addresses">The addresses; empty for a failed lookup.</param>
    public void Add(ReadOnlySpan<byte> name, IPAddress[] addresses)
    {
        var slot = 0;
        for (var i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].Name is null || name.SequenceEqual(_entries[i].Name))
            {
                slot = i;
                break;
            }

            if (_entries[i].Stored < _entries[slot].Stored)
            {
                slot = i;
            }
        }

        _entries[slot] = new Entry(name.ToArray(), addresses, time.GetTimestamp());
    }

    private readonly record struct Entry(byte[]? Name, IPAddress[] Addresses, long Stored);
}
