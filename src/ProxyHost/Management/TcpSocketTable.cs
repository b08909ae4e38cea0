using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ProxyHost.Management;

/// <summary>
/// Finds the owner (uid) of the client end of a loopback TCP connection in the kernel's socket table,
/// <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c> (proc(5)). TCP carries no credentials, but a client on this host
/// has its socket in the same table, with the uid that created it.
/// </summary>
/// <remarks>
/// <para><b>Which entry.</b> For an accepted connection from client C to our address S the table holds two entries:
/// ours (local S, remote C, our uid) and the client's (local C, remote S). Only the second is wanted, so the match is
/// on both addresses in that order. An IPv4 client of a dual-stack listener has its entry in <c>tcp</c> (an AF_INET
/// socket) or, if it used an AF_INET6 socket, in <c>tcp6</c> with IPv4-mapped addresses; both are searched.</para>
/// <para><b>Format.</b> Each address is hexadecimal: the IPv4 address as one 32-bit word, the IPv6 address as four,
/// each word printed as the number the kernel holds in memory (so on a little-endian machine 127.0.0.1 reads
/// <c>0100007F</c>), then a colon and the port as a plain 16-bit number.</para>
/// <para><b>Fail closed.</b> A socket whose process has closed it (orphaned, or in TIME_WAIT) is listed with inode 0
/// and, for time-wait entries, uid 0: such an entry proves nothing and is reported as <see cref="TcpOwnerStatus.Orphaned"/>,
/// never as root. So a client that connects, sends an ADD_USER and closes at once cannot pass for uid 0.</para>
/// <para><b>Cost.</b> The files are read line by line through a 4 KiB buffer, up to the first match: memory stays
/// constant however many sockets exist. The kernel walks its socket hash to produce the text, so the cost grows with
/// the number of sockets on the host; it is paid once per admin connection. When the connection is not found at all
/// the files are read a second time: the kernel resumes a read at a position in its hash chains, so an entry can be
/// skipped while other sockets come and go between two reads.</para>
/// </remarks>
internal static class TcpSocketTable
{
    /// <summary>The IPv4 table.</summary>
    public const string Tcp4Path = "/proc/net/tcp";

    /// <summary>The IPv6 table (dual-stack sockets list IPv4 peers here in IPv4-mapped form).</summary>
    public const string Tcp6Path = "/proc/net/tcp6";

    private const int Attempts = 2;

    private static readonly Lock OpenFileLock = new();

    /// <summary>Finds the uid of the process that owns the client end of an accepted connection.</summary>
    /// <param name="client">The client's address and port (the accepted socket's remote endpoint).</param>
    /// <param name="server">Our address and port (the accepted socket's local endpoint).</param>
    /// <param name="tcp4">The IPv4 table (a test may point elsewhere).</param>
    /// <param name="tcp6">The IPv6 table.</param>
    /// <returns>What the table says; never throws for an unreadable table (<see cref="TcpOwnerStatus.Unreadable"/>).</returns>
    public static TcpOwner FindOwner(IPEndPoint client, IPEndPoint server, string tcp4 = Tcp4Path, string tcp6 = Tcp6Path)
    {
        var clientAddress = Normalize(client.Address);
        var serverAddress = Normalize(server.Address);
        var bothIPv4 = clientAddress.AddressFamily == AddressFamily.InterNetwork && serverAddress.AddressFamily == AddressFamily.InterNetwork;

        // The fields as the kernel prints them, so that most lines are rejected by comparing text, without parsing.
        var local4 = bothIPv4 ? Format(clientAddress, client.Port) : null;
        var remote4 = bothIPv4 ? Format(serverAddress, server.Port) : null;
        var local6 = Format(AsIPv6(clientAddress), client.Port);
        var remote6 = Format(AsIPv6(serverAddress), server.Port);
        try
        {
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                if (local4 is not null && Search(tcp4, local4, remote4!) is { } found4)
                {
                    return found4;
                }

                if (Search(tcp6, local6, remote6) is { } found6)
                {
                    return found6;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return new TcpOwner(TcpOwnerStatus.Unreadable, 0, 0, exception.Message);
        }

        return new TcpOwner(TcpOwnerStatus.NotFound, 0, 0, null);
    }

    /// <summary>Parses one line of <c>/proc/net/tcp</c> or <c>/proc/net/tcp6</c> (not the header).</summary>
    /// <param name="line">The line, e.g. <c>"   4: 0100007F:EBF8 0100007F:8877 01 00000000:00000000 00:00000000 00000000     0        0 15572 2 ..."</c>.</param>
    /// <param name="entry">The fields this class needs.</param>
    /// <returns>False when the line does not have that shape.</returns>
    public static bool TryParseLine(ReadOnlySpan<char> line, out TcpTableEntry entry)
    {
        entry = default;

        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
        Span<Range> fields = stackalloc Range[11];
        var trimmed = line.Trim(' ');
        var count = trimmed.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
        if (count < 10
            || !TryParseEndPoint(trimmed[fields[1]], out var local)
            || !TryParseEndPoint(trimmed[fields[2]], out var remote)
            || !byte.TryParse(trimmed[fields[3]], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var state)
            || !uint.TryParse(trimmed[fields[7]], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            || !ulong.TryParse(trimmed[fields[9]], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
        {
            return false;
        }

        entry = new TcpTableEntry(local, remote, state, uid, inode);
        return true;
    }

    /// <summary>Formats an address and port as the table prints them (the inverse of the parser).</summary>
    /// <param name="address">An IPv4 or IPv6 address.</param>
    /// <param name="port">The port.</param>
    /// <returns>For example <c>0100007F:1F90</c> for 127.0.0.1:8080 on a little-endian machine.</returns>
    public static string Format(IPAddress address, int port)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        var text = new System.Text.StringBuilder(length * 2 + 5);
        for (var word = 0; word < length; word += 4)
        {
            // The word as the kernel holds it in memory, read in this machine's byte order (proc's "%08X").
            text.Append(MemoryMarshal.Read<uint>(bytes[word..]).ToString("X8", CultureInfo.InvariantCulture));
        }

        return text.Append(':').Append(port.ToString("X4", CultureInfo.InvariantCulture)).ToString();
    }

    private static TcpOwner? Search(string path, string local, string remote)
    {
        // One table open at a time, however many admin clients arrive together: the descriptor budget counts one
        // descriptor for this ("MCP" part, DescriptorBudget), not one per connection being identified.
        lock (OpenFileLock)
        {
            return SearchFile(path, local, remote);
        }
    }

    private static TcpOwner? SearchFile(string path, string local, string remote)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 4096);
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII, detectEncodingFromByteOrderMarks: false, bufferSize: 4096);
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            if (!FieldsAre(line, local, remote) || !TryParseLine(line, out var entry))
            {
                continue;
            }

            // Inode 0: the owner closed the socket (it lingers in FIN_WAIT or TIME_WAIT); its uid column is not the
            // owner's (time-wait entries print 0), so it identifies nobody.
            return entry.Inode == 0
                ? new TcpOwner(TcpOwnerStatus.Orphaned, 0, 0, null)
                : new TcpOwner(TcpOwnerStatus.Found, entry.Uid, entry.Inode, null);
        }

        return null;
    }

    private static bool FieldsAre(string line, string local, string remote)
    {
        // "  sl: LOCAL REMOTE ...": the local address starts after the first colon and the spaces that follow it.
        var span = line.AsSpan();
        var colon = span.IndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        span = span[(colon + 1)..].TrimStart(' ');
        if (!span.StartsWith(local, StringComparison.OrdinalIgnoreCase) || span.Length <= local.Length || span[local.Length] != ' ')
        {
            return false;
        }

        span = span[local.Length..].TrimStart(' ');
        return span.StartsWith(remote, StringComparison.OrdinalIgnoreCase) && span.Length > remote.Length && span[remote.Length] == ' ';
    }

    private static bool TryParseEndPoint(ReadOnlySpan<char> text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        var colon = text.IndexOf(':');
        if (colon is not (8 or 32)
            || !int.TryParse(text[(colon + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port)
            || port > IPEndPoint.MaxPort)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[colon / 2];
        for (var word = 0; word < colon / 8; word++)
        {
            if (!uint.TryParse(text.Slice(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            MemoryMarshal.Write(bytes[(word * 4)..], in value);
        }

        endPoint = new IPEndPoint(new IPAddress(bytes), port);
        return true;
    }

    private static IPAddress Normalize(IPAddress address)
    {
        // The scope id of a link-local address is not in the table; compare the bytes only.
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return plain.AddressFamily == AddressFamily.InterNetworkV6 && plain.ScopeId != 0 ? new IPAddress(plain.GetAddressBytes()) : plain;
    }

    private static IPAddress AsIPv6(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address;
}

/// <summary>One line of the kernel's TCP socket table.</summary>
/// <param name="Local">The socket's own address and port.</param>
/// <param name="Remote">Its peer's address and port.</param>
/// <param name="State">The TCP state (1 ESTABLISHED, 6 TIME_WAIT, 10 LISTEN, ...).</param>
/// <param name="Uid">The uid column.</param>
/// <param name="Inode">The socket's inode; 0 when no process holds it any more.</param>
internal readonly record struct TcpTableEntry(IPEndPoint Local, IPEndPoint Remote, byte State, uint Uid, ulong Inode);
