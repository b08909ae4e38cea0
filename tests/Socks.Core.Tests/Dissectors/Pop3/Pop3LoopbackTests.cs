using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Socks.Core.Tests.Dissectors.Pop3;

/// <summary>
/// A real POP3 conversation over loopback sockets, through a small copying relay that feeds the
/// observer the way the SOCKS relay does: each chunk right after forwarding it, from one task per
/// direction.
/// </summary>
[CancelAfter(30_000)]
public class Pop3LoopbackTests
{
    [Test]
    public async Task Observer_FedByRelayBetweenRealSockets_RecordsLoginAttempts()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        var harness = new Pop3Harness();
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        using var relay = new TcpListener(IPAddress.Loopback, 0);
        relay.Start();
        var serverTask = RunPop3ServerAsync(server, ct);

        var relayTask = Task.Run(async () =>
        {
            using var fromClient = await relay.AcceptSocketAsync(ct);
            using var toServer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await toServer.ConnectAsync((IPEndPoint)server.LocalEndpoint, ct);
            var observer = harness.Factory.Create(Pop3Harness.Session())!;
            await Task.WhenAll(
                FamilyHarness.CopyAsync(fromClient, toServer, observer, fromClient: true, ct),
                FamilyHarness.CopyAsync(toServer, fromClient, observer, fromClient: false, ct));
            ((IDisposable)observer).Dispose();
        });

        using (var client = new TcpClient())
        {
            await client.ConnectAsync((IPEndPoint)relay.LocalEndpoint, ct);
            using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            var stream = client.GetStream();

            async Task<string> Send(string line)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(line), ct);
                return (await reader.ReadLineAsync(ct))!;
            }

            (await reader.ReadLineAsync(ct)).Should().StartWith("+OK");
            (await Send("USER alice\r\n")).Should().StartWith("+OK");
            (await Send("PASS nope\r\n")).Should().StartWith("-ERR");

            // Pipelined, split oddly across writes.
            await stream.WriteAsync("USER alice\r\nPA"u8.ToArray(), ct);
            await stream.WriteAsync("SS s3cret\r"u8.ToArray(), ct);
            await stream.WriteAsync("\n"u8.ToArray(), ct);
            (await reader.ReadLineAsync(ct)).Should().StartWith("+OK");
            (await reader.ReadLineAsync(ct)).Should().StartWith("+OK");
            (await Send("QUIT\r\n")).Should().StartWith("+OK");
        }

        await Task.WhenAll(serverTask, relayTask).WaitAsync(TimeSpan.FromSeconds(30));

        harness.Sink.Records.Select(r => $"{Pop3Harness.Text(r.User)} {Pop3Harness.Text(r.Secret)} {r.Outcome}")
            .Should().Equal("alice nope Rejected", "alice s3cret Accepted");
    }

    /// <summary>A minimal POP3 server: accepts alice/s3cret, answers QUIT, closes.</summary>
    private static async Task RunPop3ServerAsync(TcpListener listener, CancellationToken ct)
    {
        using var socket = await listener.AcceptTcpClientAsync(ct);
        var stream = socket.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await stream.WriteAsync("+OK POP3 test server ready\r\n"u8.ToArray(), ct);
        string? user = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            string reply;
            if (line.StartsWith("USER ", StringComparison.OrdinalIgnoreCase))
            {
                user = line[5..];
                reply = "+OK\r\n";
            }
            else if (line.StartsWith("PASS ", StringComparison.OrdinalIgnoreCase))
            {
                reply = user == "alice" && line[5..] == "s3cret" ? "+OK maildrop locked and ready\r\n" : "-ERR invalid password\r\n";
            }
            else if (line.Equals("QUIT", StringComparison.OrdinalIgnoreCase))
            {
                await stream.WriteAsync("+OK bye\r\n"u8.ToArray(), ct);
                break;
            }
            else
            {
                reply = "-ERR unknown command\r\n";
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(reply), ct);
        }

        socket.Client.Shutdown(SocketShutdown.Send);
    }
}
