using System.Buffers;
using System.Net;

namespace Socks.Core.Protocol;

/// <summary>
/// Incremental readers for every SOCKS5 (RFC 1928) and username/password (RFC 1929) message, server side
/// and client side.
/// </summary>
/// <remarks>
/// Every method has the same contract. <see cref="OperationStatus.Done"/>: the message was read and
/// <c>buffer</c> now starts right after it, so pipelined bytes stay in place for the next read.
/// <see cref="OperationStatus.NeedMoreData"/>: the input is a valid prefix; <c>buffer</c> is untouched and
/// nothing was allocated. <see cref="OperationStatus.InvalidData"/>: no later bytes could make the input
/// valid; the error names the first bad field in wire order, and <c>buffer</c> is untouched. Fields are
/// checked as soon as they arrive (VER after one byte, ATYP and lengths before waiting for what they
/// delimit). No method throws, whatever the input, and none does I/O: the caller owns the read loop.
/// RSV octets are not checked: RFC 1928 requires senders to write X'00' but gives a receiver nothing to
/// do about another value, so ignoring them keeps odd clients working without any risk.
/// </remarks>
internal static class Socks5Reader
{
    private const int PortLength = 2;

    /// <summary>Reads a client's version identifier/method selection message (RFC 1928 §3).</summary>
    /// <remarks>
    /// <code>
    /// RFC 1928 §3
    ///   +----+----------+----------+
    ///   |VER | NMETHODS | METHODS  |
    ///   +----+----------+----------+
    ///   | 1  |    1     | 1 to 255 |
    ///   +----+----------+----------+
    /// </code>
    /// </remarks>
    /// <param name="buffer">Bytes received so far; advanced past the message on <see cref="OperationStatus.Done"/>.</param>
    /// <param name="greeting">The offered methods when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <param name="error">
    /// <see cref="SocksParseError.BadVersion"/> or <see cref="SocksParseError.NoMethods"/> when the result is
    /// <see cref="OperationStatus.InvalidData"/>; otherwise <see cref="SocksParseError.None"/>.
    /// </param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    public static OperationStatus TryReadGreeting(ref ReadOnlySequence<byte> buffer, out SocksGreeting greeting, out SocksParseError error)
    {
        greeting = default;
        var reader = new SequenceReader<byte>(buffer);
        var status = TryReadVersion(ref reader, Socks5Constants.ProtocolVersion, SocksParseError.BadVersion, out error);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        if (!reader.TryRead(out var methodCount))
        {
            return OperationStatus.NeedMoreData;
        }

        if (methodCount == 0)
        {
            error = SocksParseError.NoMethods;
            return OperationStatus.InvalidData;
        }

        if (reader.Remaining < methodCount)
        {
            return OperationStatus.NeedMoreData;
        }

        Span<ulong> bits = stackalloc ulong[4];
        bits.Clear();
        for (var i = 0; i < methodCount; i++)
        {
            reader.TryRead(out var method);
            bits[method >> 6] |= 1UL << (method & 63);
        }

        greeting = new SocksGreeting(bits[0], bits[1], bits[2], bits[3], methodCount);
        buffer = buffer.Slice(reader.Position);
        return OperationStatus.Done;
    }

    /// <summary>Reads a client's username/password request (RFC 1929 §2).</summary>
    /// <remarks>
    /// <code>
    /// RFC 1929 §2 (VER is X'01', the sub-negotiation version, not X'05')
    ///   +----+------+----------+------+----------+
    ///   |VER | ULEN |  UNAME   | PLEN |  PASSWD  |
    ///   +----+------+----------+------+----------+
    ///   | 1  |  1   | 1 to 255 |  1   | 1 to 255 |
    ///   +----+------+----------+------+----------+
    /// </code>
    /// </remarks>
    /// <param name="buffer">Bytes received so far; advanced past the message on <see cref="OperationStatus.Done"/>.</param>
    /// <param name="request">The credentials when the result is <see cref="OperationStatus.Done"/>; otherwise null.</param>
    /// <param name="error">
    /// <see cref="SocksParseError.BadSubnegotiationVersion"/> or <see cref="SocksParseError.BadLength"/> (ULEN or
    /// PLEN is 0) when the result is <see cref="OperationStatus.InvalidData"/>; otherwise <see cref="SocksParseError.None"/>.
    /// </param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    public static OperationStatus TryReadUsernamePassword(ref ReadOnlySequence<byte> buffer, out UsernamePasswordRequest? request, out SocksParseError error)
    {
        request = null;
        var reader = new SequenceReader<byte>(buffer);
        var status = TryReadVersion(ref reader, Socks5Constants.SubnegotiationVersion, SocksParseError.BadSubnegotiationVersion, out error);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        // Both lengths are checked before waiting for the bytes they announce; nothing is copied until the
        // whole message is present, so the NeedMoreData path allocates nothing.
        status = TryReadLength(ref reader, out var usernameLength, out error);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        var usernameStart = reader.Position;
        if (reader.Remaining < usernameLength)
        {
            return OperationStatus.NeedMoreData;
        }

        reader.Advance(usernameLength);

        status = TryReadLength(ref reader, out var passwordLength, out error);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        if (reader.Remaining < passwordLength)
        {
            return OperationStatus.NeedMoreData;
        }

        var username = buffer.Slice(usernameStart, usernameLength).ToArray();
        var password = new byte[passwordLength];
        reader.TryCopyTo(password);
        reader.Advance(passwordLength);

        request = new UsernamePasswordRequest(username, password);
        buffer = buffer.Slice(reader.Position);
        return OperationStatus.Done;
    }

    /// <summary>
    /// The UNAME of a username/password request that <see cref="TryReadUsernamePassword"/> found invalid with
    /// <see cref="SocksParseError.BadLength"/> (ULEN or PLEN 0), so that the failed login can be recorded under the name
    /// it tried: empty when ULEN was 0.
    /// </summary>
    /// <param name="buffer">The bytes <see cref="TryReadUsernamePassword"/> was given (it leaves them untouched on InvalidData).</param>
    /// <returns>A copy of UNAME.</returns>
    public static byte[] UsernameOfBadLengthRequest(ReadOnlySequence<byte> buffer)
    {
        // VER, ULEN, UNAME, PLEN: the reader reached PLEN only after all of UNAME had arrived.
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out _) || !reader.TryRead(out var length) || reader.Remaining < length)
        {
            return [];
        }

        return buffer.Slice(reader.Position, length).ToArray();
    }

    /// <summary>Reads a client's request (RFC 1928 §4, with the address forms of §5).</summary>
    /// <remarks>
    /// <code>
    /// RFC 1928 §4
    ///   +----+-----+-------+------+----------+----------+
    ///   |VER | CMD |  RSV  | ATYP | DST.ADDR | DST.PORT |
    ///   +----+-----+-------+------+----------+----------+
    ///   | 1  |  1  | X'00' |  1   | Variable |    2     |
    ///   +----+-----+-------+------+----------+----------+
    /// RFC 1928 §5: DST.ADDR is 4 octets for ATYP X'01', 16 for X'04', and for X'03' one length
    /// octet followed by that many name octets. DST.PORT is in network octet order.
    /// </code>
    /// Any CMD value parses (see <see cref="SocksRequest.Command"/>); the server decides what it supports.
    /// </remarks>
    /// <param name="buffer">Bytes received so far; advanced past the message on <see cref="OperationStatus.Done"/>.</param>
    /// <param name="request">The request when the result is <see cref="OperationStatus.Done"/>; otherwise null.</param>
    /// <param name="error">
    /// <see cref="SocksParseError.BadVersion"/>, <see cref="SocksParseError.UnsupportedAddressType"/> or
    /// <see cref="SocksParseError.BadLength"/> (domain name of length 0) when the result is
    /// <see cref="OperationStatus.InvalidData"/>; otherwise <see cref="SocksParseError.None"/>.
    /// </param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    public static OperationStatus TryReadRequest(ref ReadOnlySequence<byte> buffer, out SocksRequest? request, out SocksParseError error)
    {
        request = null;
        var reader = new SequenceReader<byte>(buffer);
        var status = TryReadCodeAndAddress(ref reader, out var command, out var address, out error);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        request = new SocksRequest(command, address.Type, address.Address, address.DomainName, address.Port, address.HostBytes());
        buffer = buffer.Slice(reader.Position);
        return OperationStatus.Done;
    }

    /// <summary>Reads the server's method selection message (RFC 1928 §3); for clients.</summary>
    /// <remarks>
    /// <code>
    /// RFC 1928 §3
    ///   +----+--------+
    ///   |VER | METHOD |
    ///   +----+--------+
    ///   | 1  |   1    |
    ///   +----+--------+
    /// </code>
    /// </remarks>
    /// <param name="buffer">Bytes received so far; advanced past the message on <see cref="OperationStatus.Done"/>.</param>
    /// <param name="method">
    /// The selected method when the result is <see cref="OperationStatus.Done"/>; <see cref="AuthMethod.NoAcceptableMethods"/>
    /// means the server refused every offered method.
    /// </param>
    /// <param name="error"><see cref="SocksParseError.BadVersion"/> on <see cref="OperationStatus.InvalidData"/>; otherwise None.</param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    public static OperationStatus TryReadMethodSelection(ref ReadOnlySequence<byte> buffer, out AuthMethod method, out SocksParseError error)
    {
        var status = TryReadVersionAndValue(
            ref buffer, Socks5Constants.ProtocolVersion, SocksParseError.BadVersion, out var value, out error);
        method = status == OperationStatus.Done ? (AuthMethod)value : default;
        return status;
    }

    /// <summary>Reads the server's username/password status response (RFC 1929 §2); for clients.</summary>
    /// <remarks>
    /// <code>
    /// RFC 1929 §2 (VER is X'01'; STATUS X'00' is success, anything else failure)
    ///   +----+--------+
    ///   |VER | STATUS |
    ///   +----+--------+
    ///   | 1  |   1    |
    ///   +----+--------+
    /// </code>
    /// </remarks>
    /// <param name="buffer">Bytes received so far; advanced past the message on <see cref="OperationStatus.Done"/>.</param>
    /// <param name="success">Whether STATUS is X'00', when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <param name="error"><see cref="SocksParseError.BadSubnegotiationVersion"/> on <see cref="OperationStatus.InvalidData"/>; otherwise None.</param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    public static OperationStatus TryReadAuthStatus(ref ReadOnlySequence<byte> buffer, out bool success, out SocksParseError error)
    {
        var status = TryReadVersionAndValue(
            ref buffer, Socks5Constants.SubnegotiationVersion, SocksParseError.BadSubnegotiationVersion, out var value, out error);
        success = status == OperationStatus.Done && value == Socks5Constants.AuthStatusSuccess;
        return status;
    }

    /// <summary>Reads the server's reply (RFC 1928 §6); for clients.</summary>
    /// <remarks>
    /// <code>
    /// RFC 1928 §6
    ///   +----+-----+-------+------+----------+----------+
    ///   |VER | REP |  RSV  | ATYP | BND.ADDR | BND.PORT |
    ///   +----+-----+-------+------+----------+----------+
    ///   | 1  |  1  | X'00' |  1   | Variable |    2     |
    ///   +----+-----+-------+------+----------+----------+
    /// </code>
    /// </remarks>
    /// <param name="buffer">Bytes received so far; advanced past the message on <see cref="OperationStatus.Done"/>.</param>
    /// <param name="reply">The reply when the result is <see cref="OperationStatus.Done"/>; otherwise null.</param>
    /// <param name="error">
    /// <see cref="SocksParseError.BadVersion"/>, <see cref="SocksParseError.UnsupportedAddressType"/> or
    /// <see cref="SocksParseError.BadLength"/> on <see cref="OperationStatus.InvalidData"/>; otherwise None.
    /// </param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    public static OperationStatus TryReadReply(ref ReadOnlySequence<byte> buffer, out SocksReply? reply, out SocksParseError error)
    {
        reply = null;
        var reader = new SequenceReader<byte>(buffer);
        var status = TryReadCodeAndAddress(ref reader, out var code, out var address, out error);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        reply = new SocksReply((ReplyCode)code, address.Type, address.Address, address.DomainName, address.Port);
        buffer = buffer.Slice(reader.Position);
        return OperationStatus.Done;
    }

    private static OperationStatus TryReadVersion(ref SequenceReader<byte> reader, byte expected, SocksParseError mismatch, out SocksParseError error)
    {
        error = SocksParseError.None;
        if (!reader.TryRead(out var version))
        {
            return OperationStatus.NeedMoreData;
        }

        if (version != expected)
        {
            error = mismatch;
            return OperationStatus.InvalidData;
        }

        return OperationStatus.Done;
    }

    /// <summary>
    /// Reads the two-byte answers of a server, VER then one value: the method selection (RFC 1928 §3) and the
    /// username/password status (RFC 1929 §2). Advances <paramref name="buffer"/> only on Done.
    /// </summary>
    private static OperationStatus TryReadVersionAndValue(
        ref ReadOnlySequence<byte> buffer, byte version, SocksParseError mismatch, out byte value, out SocksParseError error)
    {
        value = 0;
        var reader = new SequenceReader<byte>(buffer);
        var status = TryReadVersion(ref reader, version, mismatch, out error);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        if (!reader.TryRead(out value))
        {
            return OperationStatus.NeedMoreData;
        }

        buffer = buffer.Slice(reader.Position);
        return OperationStatus.Done;
    }

    /// <summary>
    /// Reads the layout requests (RFC 1928 §4) and replies (§6) share: VER, a code (CMD or REP), RSV, then ATYP,
    /// the address and the port.
    /// </summary>
    private static OperationStatus TryReadCodeAndAddress(
        ref SequenceReader<byte> reader, out byte code, out WireAddress address, out SocksParseError error)
    {
        code = 0;
        address = default;
        var status = TryReadVersion(ref reader, Socks5Constants.ProtocolVersion, SocksParseError.BadVersion, out error);
        if (status != OperationStatus.Done)
        {
            return status;
        }

        if (!reader.TryRead(out code) || !reader.TryRead(out _))
        {
            return OperationStatus.NeedMoreData;
        }

        return TryReadAddress(ref reader, out address, out error);
    }

    private static OperationStatus TryReadLength(ref SequenceReader<byte> reader, out byte length, out SocksParseError error)
    {
        error = SocksParseError.None;
        if (!reader.TryRead(out length))
        {
            return OperationStatus.NeedMoreData;
        }

        if (length == 0)
        {
            error = SocksParseError.BadLength;
            return OperationStatus.InvalidData;
        }

        return OperationStatus.Done;
    }

    /// <summary>Reads ATYP, the address and the port shared by requests and replies (RFC 1928 §4-§6).</summary>
    private static OperationStatus TryReadAddress(ref SequenceReader<byte> reader, out WireAddress address, out SocksParseError error)
    {
        address = default;
        error = SocksParseError.None;
        if (!reader.TryRead(out var typeByte))
        {
            return OperationStatus.NeedMoreData;
        }

        var type = (AddressType)typeByte;
        IPAddress? ip = null;
        byte[]? domainName = null;
        switch (type)
        {
            case AddressType.IPv4:
            case AddressType.IPv6:
                var length = type == AddressType.IPv4 ? Socks5Constants.IPv4Length : Socks5Constants.IPv6Length;
                if (reader.Remaining < length + PortLength)
                {
                    return OperationStatus.NeedMoreData;
                }

                Span<byte> bytes = stackalloc byte[Socks5Constants.IPv6Length];
                bytes = bytes[..length];
                reader.TryCopyTo(bytes);
                reader.Advance(length);
                ip = new IPAddress(bytes);
                break;

            case AddressType.DomainName:
                var status = TryReadLength(ref reader, out var nameLength, out error);
                if (status != OperationStatus.Done)
                {
                    return status;
                }

                if (reader.Remaining < nameLength + PortLength)
                {
                    return OperationStatus.NeedMoreData;
                }

                domainName = new byte[nameLength];
                reader.TryCopyTo(domainName);
                reader.Advance(nameLength);
                break;

            default:
                error = SocksParseError.UnsupportedAddressType;
                return OperationStatus.InvalidData;
        }

        reader.TryReadBigEndian(out short port);
        address = new WireAddress(type, ip, domainName, (ushort)port);
        return OperationStatus.Done;
    }

    private readonly record struct WireAddress(AddressType Type, IPAddress? Address, byte[]? DomainName, ushort Port)
    {
        public byte[] HostBytes()
        {
            if (DomainName is not null)
            {
                return DomainName;
            }

            Span<byte> text = stackalloc byte[Socks5Constants.MaxAddressTextLength];
            Address!.TryFormat(text, out var written);
            return text[..written].ToArray();
        }
    }
}
