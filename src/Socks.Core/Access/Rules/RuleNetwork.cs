using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Socks.Core.Access.Rules;

/// <summary>
/// One CIDR block, precompiled to a mask and a prefix so that a match is two 128-bit operations and no allocation.
/// IPv4 blocks match IPv4 addresses and IPv4-mapped IPv6 addresses (<c>::ffff:192.0.2.1</c> is <c>192.0.2.1</c>).
/// </summary>
internal readonly struct RuleNetwork
{
    private readonly UInt128 _prefix;
    private readonly UInt128 _mask;
    private readonly bool _v6;

    private RuleNetwork(bool v6, UInt128 prefix, UInt128 mask)
    {
        _v6 = v6;
        _prefix = prefix;
        _mask = mask;
    }

    /// <summary>Parses <c>ADDR</c> or <c>ADDR/BITS</c>; the bits after the prefix must be zero.</summary>
    /// <param name="text">The entry.</param>
    /// <param name="network">The block.</param>
    /// <param name="problem">Why the entry is not a block.</param>
    /// <returns>True when it parsed.</returns>
    public static bool TryParse(string text, out RuleNetwork network, out string problem)
    {
        network = default;
        problem = "";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal))
        {
            problem = $"'{text}' is not an address or CIDR block";
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var width = v6 ? 128 : 32;
        var bits = width;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bits) || bits > width))
        {
            problem = $"'{text}' has a bad prefix length (0..{width} for IPv{(v6 ? 6 : 4)})";
            return false;
        }

        var value = ToValue(address);
        var mask = bits == 0 ? UInt128.Zero : UInt128.MaxValue << (width - bits);
        if (!v6)
        {
            mask &= uint.MaxValue;
        }

        if ((value & ~mask) != UInt128.Zero)
        {
            problem = $"'{text}' has bits set after the /{bits} prefix (write {Describe(v6, value & mask)}/{bits})";
            return false;
        }

        network = new RuleNetwork(v6, value, mask);
        return true;
    }

    /// <summary>Whether the address (as <see cref="ToValue(IPAddress, out bool)"/> gave it) is in the block.</summary>
    /// <param name="v6">The address is IPv6 (not IPv4-mapped).</param>
    /// <param name="value">The address as a number.</param>
    /// <returns>True when it is.</returns>
    public bool Contains(bool v6, UInt128 value) => v6 == _v6 && (value & _mask) == _prefix;

    /// <summary>The address as a number, IPv4-mapped IPv6 as IPv4, without allocating.</summary>
    /// <param name="address">The address.</param>
    /// <param name="v6">True for IPv6 (not IPv4-mapped).</param>
    /// <returns>The number.</returns>
    public static UInt128 ToValue(IPAddress address, out bool v6)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        if (written == 4)
        {
            v6 = false;
            return BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }

        if (address.IsIPv4MappedToIPv6)
        {
            v6 = false;
            return BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]);
        }

        v6 = true;
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static UInt128 ToValue(IPAddress address) => ToValue(address, out _);

    private static string Describe(bool v6, UInt128 value)
    {
        if (!v6)
        {
            return new IPAddress(BinaryPrimitives.ReverseEndianness((uint)value)).ToString();
        }

        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes).ToString();
    }
}
