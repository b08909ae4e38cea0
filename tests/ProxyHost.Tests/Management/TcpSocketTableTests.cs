using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ProxyHost.Management;
using ProxyHost.Unix;

namespace ProxyHost.Tests.Management;

/// <summary>
/// The lookup of a loopback client's uid in the real /proc/net/tcp and /proc/net/tcp6: each test opens a real
/// connection and must find the client end of it (its inode proves which socket was found), never the server end.
/// </summary>
[CancelAfter(30_000)]
public sealed class TcpSocketTableTests
{
    private static readonly string Loopback4 = BitConverter.IsLittleEndian ? "0100007F" : "7F000001";

    [TestCase("127.0.0.1", false, AddressFamily.InterNetwork)]
    [TestCase("::1", false, AddressFamily.InterNetworkV6)]
    [TestCase("::", true, AddressFamily.InterNetwork)]
    [TestCase("::", true, AddressFamily.InterNetworkV6)]
    public async Task FindOwner_OpenLoopbackConnection_FindsTheClientEndWithThisProcessUid(string listen, bool dualMode, AddressFamily clientFamily)
    {
        using var listener = new Socket(IPAddress.Parse(listen).AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (dualMode)
        {
            listener.DualMode = true;
        }

        listener.Bind(new IPEndPoint(IPAddress.Parse(listen), 0));
        listener.Listen();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        // An AF_INET6 client of ::ffff:127.0.0.1 has its entry in tcp6 in IPv4-mapped form; an AF_INET one in tcp.
        using var client = new Socket(clientFamily, SocketType.Stream, ProtocolType.Tcp);
        if (clientFamily == AddressFamily.InterNetworkV6 && dualMode)
        {
            client.DualMode = true;
        }

        var target = clientFamily == AddressFamily.InterNetwork ? IPAddress.Loopback
            : dualMode ? IPAddress.Loopback.MapToIPv6() : IPAddress.IPv6Loopback;
        await client.ConnectAsync(new IPEndPoint(target, port));
        using var accepted = await listener.AcceptAsync();

        var owner = TcpSocketTable.FindOwner((IPEndPoint)accepted.RemoteEndPoint!, (IPEndPoint)accepted.LocalEndPoint!);

        owner.Status.Should().Be(TcpOwnerStatus.Found);
        owner.Uid.Should().Be(UnixAccounts.EffectiveUid);
        owner.Inode.Should().Be(InodeOf(client), "the entry found is the client's socket");
        owner.Inode.Should().NotBe(InodeOf(accepted), "our own accepted socket has the same addresses the other way round");
    }

    [Test]
    public async Task FindOwner_ClientClosedItsSocket_IsOrphanedNotRoot()
    {
        using var listener = Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var accepted = await listener.AcceptAsync();

        // The client's kernel socket lingers (FIN_WAIT, then a time-wait entry listed with uid 0) with inode 0.
        client.Dispose();
        var owner = TcpSocketTable.FindOwner((IPEndPoint)accepted.RemoteEndPoint!, (IPEndPoint)accepted.LocalEndPoint!);

        owner.Status.Should().Be(TcpOwnerStatus.Orphaned, "a closed socket proves no uid, and time-wait entries would claim root");
    }

    [Test]
    public void FindOwner_NoSuchConnection_IsNotFound()
    {
        // What a client on another host looks like: nothing on this host has that pair of endpoints.
        var owner = TcpSocketTable.FindOwner(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 40000), new IPEndPoint(IPAddress.Loopback, 1));

        owner.Status.Should().Be(TcpOwnerStatus.NotFound);
    }

    [Test]
    public void FindOwner_TableMissing_IsUnreadable()
    {
        var owner = TcpSocketTable.FindOwner(
            new IPEndPoint(IPAddress.Loopback, 40000), new IPEndPoint(IPAddress.Loopback, 8080), "/nonexistent/tcp", "/nonexistent/tcp6");

        owner.Status.Should().Be(TcpOwnerStatus.Unreadable);
        owner.Problem.Should().Contain("/nonexistent/tcp");
    }

    [Test]
    public void TryParseLine_IPv4Entry_ReadsAddressesStateUidAndInode()
    {
        var line = $"   4: {Loopback4}:EBF8 {Loopback4}:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 15572 2 0000000070895647 20 0 0 10 -1";

        TcpSocketTable.TryParseLine(line, out var entry).Should().BeTrue();

        entry.Should().Be(new TcpTableEntry(new IPEndPoint(IPAddress.Loopback, 0xEBF8), new IPEndPoint(IPAddress.Loopback, 8080), 1, 1000, 15572));
    }

    [Test]
    public void TryParseLine_IPv4MappedEntryOfTcp6_ReadsTheMappedAddress()
    {
        var mapped = BitConverter.IsLittleEndian ? "0000000000000000FFFF0000" : "00000000000000000000FFFF";
        var line = $"   1: {mapped}{Loopback4}:ABEF {mapped}{Loopback4}:C4D0 06 00000000:00000000 03:00001768 00000000     0        0 0 3 0000000039988bb5";

        TcpSocketTable.TryParseLine(line, out var entry).Should().BeTrue();

        entry.Local.Should().Be(new IPEndPoint(IPAddress.Loopback.MapToIPv6(), 0xABEF));
        entry.State.Should().Be(6, "TIME_WAIT");
        entry.Inode.Should().Be(0);
    }

    [TestCase("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode")]
    [TestCase("")]
    [TestCase("   4: 0100007F:EBF8 0100007F 01 00000000:00000000 00:00000000 00000000     0        0 15572")]
    [TestCase("   4: 0100007:EBF8 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 15572")]
    [TestCase("   4: 0100007F:EBF8 0100007F:1F90 01 00000000:00000000 00:00000000 00000000    -1        0 15572")]
    public void TryParseLine_NotAnEntry_ReturnsFalse(string line) => TcpSocketTable.TryParseLine(line, out _).Should().BeFalse();

    [TestCase("127.0.0.1", 8080)]
    [TestCase("::1", 1)]
    [TestCase("2001:db8::ff00:42:8329", 65535)]
    public void Format_ThenParse_RoundTrips(string address, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        var field = TcpSocketTable.Format(endPoint.Address, endPoint.Port);

        TcpSocketTable.TryParseLine($"0: {field} {field} 01 0:0 0:0 0 0 0 1", out var entry).Should().BeTrue();

        entry.Local.Should().Be(endPoint);
        field.Should().EndWith(":" + port.ToString("X4", CultureInfo.InvariantCulture));
    }

    private static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        return listener;
    }

    /// <summary>The socket's inode, from the link /proc/self/fd/N -> "socket:[INODE]".</summary>
    private static ulong InodeOf(Socket socket)
    {
        var link = new FileInfo($"/proc/self/fd/{socket.Handle}").LinkTarget!;
        return ulong.Parse(link["socket:[".Length..^1], CultureInfo.InvariantCulture);
    }
}
