using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Socks.Core.Tests.Relay;

/// <summary>Two loopback connections: the test's client and target ends, and the relay's sides of each.</summary>
internal sealed class RelayLegs : IDisposable
{
    private RelayLegs(Socket client, Socket clientSide, Socket target, Socket targetSide)
    {
        Client = client;
        ClientSide = clientSide;
        Target = target;
        TargetSide = targetSide;
    }

    public Socket Client { get; }

    public Socket ClientSide { get; }

    public Socket Target { get; }

    public Socket TargetSide { get; }

    public static async Task<RelayLegs> OpenAsync()
    {
        var (client, clientSide) = await PairAsync();
        var (target, targetSide) = await PairAsync();
        return new RelayLegs(client, clientSide, target, targetSide);
    }

    public static async Task SendAsync(Socket socket, string text)
    {
        var rest = Encoding.ASCII.GetBytes(text).AsMemory();
        while (!rest.IsEmpty)
        {
            rest = rest[await socket.SendAsync(rest, SocketFlags.None)..];
        }
    }

    public static async Task<string> ReadToEndAsync(Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[256];
        int n;
        while ((n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    public void Dispose()
    {
        Client.Dispose();
        ClientSide.Dispose();
        Target.Dispose();
        TargetSide.Dispose();
    }

    private static async Task<(Socket Outer, Socket Inner)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var outer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await outer.ConnectAsync(listener.LocalEndPoint!);
        return (outer, await listener.AcceptAsync());
    }
}
