using System.Net;
using System.Text;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Connectors.Direct;

/// <summary>CONNECT requests as the reader would produce them.</summary>
internal static class TestRequests
{
    public static SocksRequest Connect(IPAddress address, ushort port) =>
        new(
            (byte)SocksCommand.Connect,
            address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? AddressType.IPv4 : AddressType.IPv6,
            address,
            null,
            port,
            Encoding.ASCII.GetBytes(address.ToString()));

    public static SocksRequest Connect(string domainName, ushort port) => Connect(Encoding.ASCII.GetBytes(domainName), port);

    public static SocksRequest Connect(byte[] domainName, ushort port) =>
        new((byte)SocksCommand.Connect, AddressType.DomainName, null, domainName, port, domainName);
}
