using System.Buffers.Binary;
using Socks.Core.Protocol;

namespace Socks.Core.Commands.UdpAssociate;

/// <summary>
/// The header of a relayed UDP datagram (RFC 1928 §7), read and written in place in the datagram's buffer: no
/// allocation per datagram.
/// </summary>
/// <remarks>
/// <code>
/// +----+------+------+----------+----------+----------+
/// |RSV | FRAG | ATYP | DST.ADDR | DST.PORT |   DATA   |
/// +----+------+------+----------+----------+----------+
/// | 2  |  1   |  1   | Variable |    2     | Variable |
/// +----+------+------+----------+----------+----------+
/// </code>
/// RSV is not checked (clients are known to leave garbage there, and it carries nothing).
/// </remarks>
internal readonly struct UdpHeader
{
    /// <summary>The header of a datagram from an IPv4 source: 4 + 4 + 2 bytes.</summary>
    public const int IPv4Length = 10;

    /// <summary>The header of a datagram from an IPv6 source: 4 + 16 + 2 bytes, the longest the relay writes.</summary>
    public const int IPv6Length = 22;

    private UdpHeader(byte fragment, AddressType addressType, int addressOffset, int addressLength, ushort port)
    {
        Fragment = fragment;
        AddressType = addressType;
        AddressOffset = addressOffset;
        AddressLength = addressLength;
        Port = port;
    }

    /// <summary>FRAG: 0 for a whole datagram; anything else is a fragment, which the relay drops.</summary>
    public byte Fragment { get; }

    /// <summary>ATYP.</summary>
    public AddressType AddressType { get; }

    /// <summary>Where DST.ADDR starts in the datagram: 4 or 16 address bytes, or the name (after its length octet).</summary>
    public int AddressOffset { get; }

    /// <summary>The length of DST.ADDR: 4, 16, or the name's length.</summary>
    public int AddressLength { get; }

    /// <summary>DST.PORT.</summary>
    public ushort Port { get; }

    /// <summary>The header's length: DATA starts here.</summary>
    public int Length => AddressOffset + AddressLength + 2;

    /// <summary>Reads the header at the start of <paramref name="datagram"/>.</summary>
    /// <param name="datagram">The datagram as received.</param>
    /// <param name="header">The header (offsets into <paramref name="datagram"/>), when the result is true.</param>
    /// <returns>False when the datagram is shorter than its header, its ATYP is unknown or its name empty.</returns>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out UdpHeader header)
    {
        header = default;
        if (datagram.Length < 4)
        {
            return false;
        }

        var type = (AddressType)datagram[3];
        int start = 4, length;
        switch (type)
        {
            case AddressType.IPv4:
                length = 4;
                break;
            case AddressType.IPv6:
                length = 16;
                break;
            case AddressType.DomainName when datagram.Length > 4 && datagram[4] != 0:
                start = 5;
                length = datagram[4];
                break;
            default:
                return false;
        }

        if (datagram.Length < start + length + 2)
        {
            return false;
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(datagram[(start + length)..]);
        header = new UdpHeader(datagram[2], type, start, length, port);
        return true;
    }

    /// <summary>
    /// Writes the header for a datagram from <paramref name="address"/> (4 or 16 bytes) and <paramref name="port"/>
    /// so that it ends right before <paramref name="dataOffset"/>, where the DATA already is.
    /// </summary>
    /// <param name="buffer">The buffer holding the DATA at <paramref name="dataOffset"/>.</param>
    /// <param name="dataOffset">Where DATA starts; at least <see cref="IPv6Length"/>.</param>
    /// <param name="address">The source's address bytes.</param>
    /// <param name="port">The source's port.</param>
    /// <returns>Where the header starts: the datagram to send is from there to the end of DATA.</returns>
    public static int WriteBefore(Span<byte> buffer, int dataOffset, ReadOnlySpan<byte> address, ushort port)
    {
        var length = address.Length == 4 ? IPv4Length : IPv6Length;
        var start = dataOffset - length;
        var header = buffer[start..dataOffset];
        header[0] = 0;
        header[1] = 0;
        header[2] = 0;
        header[3] = (byte)(address.Length == 4 ? AddressType.IPv4 : AddressType.IPv6);
        address.CopyTo(header[4..]);
        BinaryPrimitives.WriteUInt16BigEndian(header[(4 + address.Length)..], port);
        return start;
    }
}
