using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Socks.Core.Protocol;

/// <summary>
/// Writers for every SOCKS5 (RFC 1928) and username/password (RFC 1929) message, server side and client side.
/// Each writes one whole message into <see cref="IBufferWriter{T}"/> with one <c>GetSpan</c>/<c>Advance</c> pair.
/// Arguments that cannot be put on the wire are caller bugs and throw <see cref="ArgumentException"/> before
/// anything is written.
/// </summary>
internal static class Socks5Writer
{
    private const int PortLength = 2;

    /// <summary>Writes the server's method selection message (RFC 1928 §3): <c>05 METHOD</c>.</summary>
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
    /// <param name="method">The chosen method, or <see cref="AuthMethod.NoAcceptableMethods"/> to refuse all.</param>
    /// <param name="output">Where to write.</param>
    public static void WriteMethodSelection(AuthMethod method, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(2);
        span[0] = Socks5Constants.ProtocolVersion;
        span[1] = (byte)method;
        output.Advance(2);
    }

    /// <summary>Writes the server's username/password status response (RFC 1929 §2): <c>01 00</c> or <c>01 01</c>.</summary>
    /// <remarks>
    /// <code>
    /// RFC 1929 §2 (VER X'01'; STATUS X'00' success, anything else failure)
    ///   +----+--------+
    ///   |VER | STATUS |
    ///   +----+--------+
    ///   | 1  |   1    |
    ///   +----+--------+
    /// </code>
    /// </remarks>
    /// <param name="success">True writes STATUS X'00'; false writes X'01', after which the server must close.</param>
    /// <param name="output">Where to write.</param>
    public static void WriteAuthStatus(bool success, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(2);
        span[0] = Socks5Constants.SubnegotiationVersion;
        span[1] = success ? Socks5Constants.AuthStatusSuccess : Socks5Constants.AuthStatusFailure;
        output.Advance(2);
    }

    /// <summary>Writes the server's reply (RFC 1928 §6): <c>05 REP 00 ATYP BND.ADDR BND.PORT</c>.</summary>
    /// <remarks>
    /// <code>
    /// RFC 1928 §6
    ///   +----+-----+-------+------+----------+----------+
    ///   |VER | REP |  RSV  | ATYP | BND.ADDR | BND.PORT |
    ///   +----+-----+-------+------+----------+----------+
    ///   | 1  |  1  | X'00' |  1   | Variable |    2     |
    ///   +----+-----+-------+------+----------+----------+
    /// </code>
    /// An IPv4-mapped IPv6 address (a dual-mode socket's view of an IPv4 peer) is written as ATYP X'01', so
    /// IPv4-only clients understand it. An IPv6 scope id is not representable and is dropped.
    /// </remarks>
    /// <param name="reply">REP; one of the codes RFC 1928 §6 assigns (X'00' to X'08').</param>
    /// <param name="bound">BND.ADDR and BND.PORT; null writes ATYP X'01' 0.0.0.0 port 0, the usual form for failures.</param>
    /// <param name="output">Where to write.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reply"/> is not an assigned code.</exception>
    public static void WriteReply(ReplyCode reply, IPEndPoint? bound, IBufferWriter<byte> output)
    {
        CheckReplyCode(reply);
        ArgumentNullException.ThrowIfNull(output);
        var address = bound?.Address ?? IPAddress.Any;
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        WriteAddressMessage((byte)reply, address, (ushort)(bound?.Port ?? 0), output);
    }

    /// <summary>
    /// Writes a server's reply (RFC 1928 §6) whose BND.ADDR is a domain name (ATYP X'03'), as Tor's RESOLVE_PTR
    /// answers: <c>05 REP 00 03 LEN NAME BND.PORT</c>.
    /// </summary>
    /// <param name="reply">REP; one of the codes RFC 1928 §6 assigns (X'00' to X'08').</param>
    /// <param name="domainName">BND.ADDR, 1 to 255 octets, without a length prefix.</param>
    /// <param name="port">BND.PORT.</param>
    /// <param name="output">Where to write.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reply"/> is not an assigned code.</exception>
    /// <exception cref="ArgumentException">The name is empty or longer than 255 octets.</exception>
    public static void WriteReply(ReplyCode reply, ReadOnlySpan<byte> domainName, ushort port, IBufferWriter<byte> output)
    {
        CheckReplyCode(reply);
        CheckFieldLength(domainName.Length, nameof(domainName));
        ArgumentNullException.ThrowIfNull(output);
        WriteDomainMessage((byte)reply, domainName, port, output);
    }

    /// <summary>Writes a client's version identifier/method selection message (RFC 1928 §3): <c>05 NMETHODS METHODS</c>.</summary>
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
    /// <param name="methods">The offered methods, 1 to 255 of them, in the order to send.</param>
    /// <param name="output">Where to write.</param>
    /// <exception cref="ArgumentException"><paramref name="methods"/> is empty or longer than 255.</exception>
    public static void WriteGreeting(ReadOnlySpan<AuthMethod> methods, IBufferWriter<byte> output)
    {
        if (methods.Length is 0 or > Socks5Constants.MaxFieldLength)
        {
            throw new ArgumentException("A greeting offers 1 to 255 methods (RFC 1928 §3).", nameof(methods));
        }

        ArgumentNullException.ThrowIfNull(output);
        var length = 2 + methods.Length;
        var span = output.GetSpan(length);
        span[0] = Socks5Constants.ProtocolVersion;
        span[1] = (byte)methods.Length;
        MemoryMarshal.Cast<AuthMethod, byte>(methods).CopyTo(span[2..]);
        output.Advance(length);
    }

    /// <summary>Writes a client's username/password request (RFC 1929 §2) from raw octets.</summary>
    /// <remarks>
    /// <code>
    /// RFC 1929 §2 (VER is X'01', the sub-negotiation version)
    ///   +----+------+----------+------+----------+
    ///   |VER | ULEN |  UNAME   | PLEN |  PASSWD  |
    ///   +----+------+----------+------+----------+
    ///   | 1  |  1   | 1 to 255 |  1   | 1 to 255 |
    ///   +----+------+----------+------+----------+
    /// </code>
    /// </remarks>
    /// <param name="username">UNAME, 1 to 255 octets.</param>
    /// <param name="password">PASSWD, 1 to 255 octets.</param>
    /// <param name="output">Where to write.</param>
    /// <exception cref="ArgumentException">A field is empty or longer than 255 octets.</exception>
    public static void WriteUsernamePassword(ReadOnlySpan<byte> username, ReadOnlySpan<byte> password, IBufferWriter<byte> output)
    {
        CheckFieldLength(username.Length, nameof(username));
        CheckFieldLength(password.Length, nameof(password));
        ArgumentNullException.ThrowIfNull(output);
        var length = 3 + username.Length + password.Length;
        var span = output.GetSpan(length);
        span[0] = Socks5Constants.SubnegotiationVersion;
        span[1] = (byte)username.Length;
        username.CopyTo(span[2..]);
        span[2 + username.Length] = (byte)password.Length;
        password.CopyTo(span[(3 + username.Length)..]);
        output.Advance(length);
    }

    /// <summary>Writes a client's username/password request (RFC 1929 §2), encoding both fields as UTF-8 in place.</summary>
    /// <param name="username">UNAME; 1 to 255 octets once encoded.</param>
    /// <param name="password">PASSWD; 1 to 255 octets once encoded.</param>
    /// <param name="output">Where to write.</param>
    /// <exception cref="ArgumentException">A field is empty or longer than 255 octets in UTF-8.</exception>
    public static void WriteUsernamePassword(string username, string password, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        var usernameLength = Encoding.UTF8.GetByteCount(username);
        var passwordLength = Encoding.UTF8.GetByteCount(password);
        CheckFieldLength(usernameLength, nameof(username));
        CheckFieldLength(passwordLength, nameof(password));
        ArgumentNullException.ThrowIfNull(output);
        var length = 3 + usernameLength + passwordLength;
        var span = output.GetSpan(length);
        span[0] = Socks5Constants.SubnegotiationVersion;
        span[1] = (byte)usernameLength;
        Encoding.UTF8.GetBytes(username, span[2..]);
        span[2 + usernameLength] = (byte)passwordLength;
        Encoding.UTF8.GetBytes(password, span[(3 + usernameLength)..]);
        output.Advance(length);
    }

    /// <summary>Writes a client's request (RFC 1928 §4) for an IP address (ATYP X'01' or X'04').</summary>
    /// <remarks>
    /// <code>
    /// RFC 1928 §4
    ///   +----+-----+-------+------+----------+----------+
    ///   |VER | CMD |  RSV  | ATYP | DST.ADDR | DST.PORT |
    ///   +----+-----+-------+------+----------+----------+
    ///   | 1  |  1  | X'00' |  1   | Variable |    2     |
    ///   +----+-----+-------+------+----------+----------+
    /// </code>
    /// The address is written in its own family: an IPv4-mapped IPv6 address stays ATYP X'04'.
    /// </remarks>
    /// <param name="command">CMD.</param>
    /// <param name="address">DST.ADDR.</param>
    /// <param name="port">DST.PORT.</param>
    /// <param name="output">Where to write.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="command"/> is not a defined command.</exception>
    public static void WriteRequest(SocksCommand command, IPAddress address, ushort port, IBufferWriter<byte> output)
    {
        CheckCommand(command);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(output);
        WriteAddressMessage((byte)command, address, port, output);
    }

    /// <summary>Writes a client's request (RFC 1928 §4) for a domain name (ATYP X'03'), encoded as UTF-8 in place.</summary>
    /// <remarks>The name is sent as a name even if it is the text of an IP address; resolving it is the server's job.</remarks>
    /// <param name="command">CMD.</param>
    /// <param name="domainName">DST.ADDR; 1 to 255 octets once encoded.</param>
    /// <param name="port">DST.PORT.</param>
    /// <param name="output">Where to write.</param>
    /// <exception cref="ArgumentException">The name is empty or longer than 255 octets, or the command is not defined.</exception>
    public static void WriteRequest(SocksCommand command, string domainName, ushort port, IBufferWriter<byte> output)
    {
        CheckCommand(command);
        ArgumentNullException.ThrowIfNull(domainName);
        var nameLength = Encoding.UTF8.GetByteCount(domainName);
        CheckFieldLength(nameLength, nameof(domainName));
        ArgumentNullException.ThrowIfNull(output);
        var length = 5 + nameLength + PortLength;
        var span = output.GetSpan(length);
        WriteDomainHeader((byte)command, nameLength, span);
        Encoding.UTF8.GetBytes(domainName, span[5..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[(5 + nameLength)..], port);
        output.Advance(length);
    }

    /// <summary>Writes a client's request (RFC 1928 §4) for a domain name (ATYP X'03') given as raw octets.</summary>
    /// <param name="command">CMD.</param>
    /// <param name="domainName">DST.ADDR, 1 to 255 octets, without a length prefix.</param>
    /// <param name="port">DST.PORT.</param>
    /// <param name="output">Where to write.</param>
    /// <exception cref="ArgumentException">The name is empty or longer than 255 octets, or the command is not defined.</exception>
    public static void WriteRequest(SocksCommand command, ReadOnlySpan<byte> domainName, ushort port, IBufferWriter<byte> output)
    {
        CheckCommand(command);
        CheckFieldLength(domainName.Length, nameof(domainName));
        ArgumentNullException.ThrowIfNull(output);
        WriteDomainMessage((byte)command, domainName, port, output);
    }

    /// <summary>Writes <c>05 CODE 00 03 LEN NAME PORT</c>, the domain-name shape of requests (§4) and replies (§6).</summary>
    private static void WriteDomainMessage(byte code, ReadOnlySpan<byte> domainName, ushort port, IBufferWriter<byte> output)
    {
        var length = 5 + domainName.Length + PortLength;
        var span = output.GetSpan(length);
        WriteDomainHeader(code, domainName.Length, span);
        domainName.CopyTo(span[5..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[(5 + domainName.Length)..], port);
        output.Advance(length);
    }

    private static void CheckReplyCode(ReplyCode reply)
    {
        if ((byte)reply > (byte)ReplyCode.AddressTypeNotSupported)
        {
            throw new ArgumentOutOfRangeException(nameof(reply), reply, "RFC 1928 §6 assigns REP values X'00' to X'08' only.");
        }
    }

    /// <summary>Writes <c>05 CODE 00 ATYP ADDR PORT</c>, the shape shared by requests (§4) and replies (§6).</summary>
    private static void WriteAddressMessage(byte code, IPAddress address, ushort port, IBufferWriter<byte> output)
    {
        var isIPv4 = address.AddressFamily == AddressFamily.InterNetwork;
        var addressLength = isIPv4 ? Socks5Constants.IPv4Length : Socks5Constants.IPv6Length;
        var length = 4 + addressLength + PortLength;
        var span = output.GetSpan(length);
        span[0] = Socks5Constants.ProtocolVersion;
        span[1] = code;
        span[2] = Socks5Constants.Reserved;
        span[3] = (byte)(isIPv4 ? AddressType.IPv4 : AddressType.IPv6);
        address.TryWriteBytes(span.Slice(4, addressLength), out _);
        BinaryPrimitives.WriteUInt16BigEndian(span[(4 + addressLength)..], port);
        output.Advance(length);
    }

    private static void WriteDomainHeader(byte command, int nameLength, Span<byte> span)
    {
        span[0] = Socks5Constants.ProtocolVersion;
        span[1] = command;
        span[2] = Socks5Constants.Reserved;
        span[3] = (byte)AddressType.DomainName;
        span[4] = (byte)nameLength;
    }

    private static void CheckCommand(SocksCommand command)
    {
        if (command is not (SocksCommand.Connect or SocksCommand.Bind or SocksCommand.UdpAssociate or SocksCommand.Resolve or SocksCommand.ResolvePtr))
        {
            throw new ArgumentOutOfRangeException(nameof(command), command, "RFC 1928 §4 defines CMD X'01' to X'03' only (and Tor X'F0', X'F1').");
        }
    }

    private static void CheckFieldLength(int length, string paramName)
    {
        if (length is 0 or > Socks5Constants.MaxFieldLength)
        {
            throw new ArgumentException("The field must be 1 to 255 octets long (RFC 1928 §5, RFC 1929 §2).", paramName);
        }
    }
}
