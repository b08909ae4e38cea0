using System.Net;
using System.Net.Sockets;
using System.Text;
using Socks.Core.Dissectors;
using Socks.Core.Tests.Dissectors.Pop3;

namespace Socks.Core.Tests.Dissectors;

/// <summary>
/// The whole dissector family (<see cref="DissectorFactory"/>, default ports) wired to a collecting
/// sink and a manual clock, with helpers to feed scripted sessions: whole, split at every byte of
/// every chunk, or through a relay between real loopback sockets.
/// </summary>
internal sealed class FamilyHarness
{
    public FamilyHarness(bool enabled = true, IReadOnlyDictionary<DissectorProtocol, IReadOnlyCollection<int>>? ports = null, IReadOnlyCollection<DissectorProtocol>? sniff = null)
    {
        Switch = new DissectorSwitch(enabled);
        Factory = new DissectorFactory(Sink, Switch, ports, sniff, Time);
    }

    public DissectorSwitch Switch { get; }

    public CollectingCredentialSink Sink { get; } = new();

    public ManualTimeProvider Time { get; } = new(Pop3Harness.Epoch);

    public DissectorFactory Factory { get; }

    /// <summary>"Mechanism user secret Outcome" per record, with the protocol name first.</summary>
    public string[] Records => [.. Sink.Records.Select(Describe)];

    public static string Describe(CredentialRecord r) => $"{r.Protocol} {r.Mechanism} {Pop3Harness.Text(r.User)} {Pop3Harness.Text(r.Secret)} {r.Outcome}";

    public static string Base64(string text) => Convert.ToBase64String(Encoding.Latin1.GetBytes(text));

    public ITrafficObserver Create(int port) =>
        Factory.Create(Pop3Harness.Session(port)) ?? throw new InvalidOperationException("The factory returned no observer.");

    /// <summary>Feeds the steps in one chunk each, then ends the session.</summary>
    public ITrafficObserver Run(int port, IEnumerable<Step> steps)
    {
        var observer = Create(port);
        Pop3Harness.Feed(observer, steps);
        ((IDisposable)observer).Dispose();
        return observer;
    }

    /// <summary>
    /// For every step and every split point in it, runs the whole session on a fresh harness with that
    /// step cut in two there, and returns each run's records; also one run with every byte a chunk.
    /// </summary>
    public static IEnumerable<(string Split, string[] Records)> SplitEverywhere(int port, Step[] steps)
    {
        for (var s = 0; s < steps.Length; s++)
        {
            for (var cut = 1; cut < steps[s].Data.Length; cut++)
            {
                var split = steps[..s]
                    .Append(steps[s] with { Data = steps[s].Data[..cut] })
                    .Append(steps[s] with { Data = steps[s].Data[cut..] })
                    .Concat(steps[(s + 1)..]);
                var harness = new FamilyHarness();
                harness.Run(port, split);
                yield return ($"step {s} cut at {cut}", harness.Records);
            }
        }

        var bytes = new FamilyHarness();
        bytes.Run(port, steps.SelectMany(step => step.Data.Select(b => step with { Data = [b] })));
        yield return ("every byte a chunk", bytes.Records);
    }

    /// <summary>
    /// Plays the steps between a real client socket and a real server socket through a copying relay
    /// that feeds the observer after forwarding each chunk (from one task per direction, like the SOCKS
    /// relay). Each step is written by its sender and read in full by the other side before the next.
    /// </summary>
    public async Task RunOverLoopbackAsync(int port, IReadOnlyList<Step> steps, CancellationToken ct)
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        using var relay = new TcpListener(IPAddress.Loopback, 0);
        relay.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accepted = server.AcceptSocketAsync(ct).AsTask();
        var relayTask = Task.Run(
            async () =>
            {
                using var fromClient = await relay.AcceptSocketAsync(ct);
                using var toServer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await toServer.ConnectAsync((IPEndPoint)server.LocalEndpoint, ct);
                var observer = Create(port);
                await Task.WhenAll(
                    CopyAsync(fromClient, toServer, observer, fromClient: true, ct),
                    CopyAsync(toServer, fromClient, observer, fromClient: false, ct));
                ((IDisposable)observer).Dispose();
            },
            ct);
        await client.ConnectAsync((IPEndPoint)relay.LocalEndpoint, ct);
        using var target = await accepted;
        foreach (var step in steps)
        {
            var (from, to) = step.FromClient ? (client, target) : (target, client);
            await from.SendAsync(step.Data, SocketFlags.None, ct);
            var buffer = new byte[step.Data.Length];
            for (var read = 0; read < buffer.Length;)
            {
                var n = await to.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, ct);
                n.Should().BePositive("the relay forwards every byte");
                read += n;
            }

            buffer.Should().Equal(step.Data, "the observer never changes the relayed bytes");
        }

        client.Shutdown(SocketShutdown.Send);
        target.Shutdown(SocketShutdown.Send);
        await relayTask.WaitAsync(TestTimeouts.Generous, ct);
    }

    /// <summary>Copies one direction, feeding the observer each chunk right after forwarding it; shuts the other side down at the end.</summary>
    internal static async Task CopyAsync(Socket from, Socket to, ITrafficObserver observer, bool fromClient, CancellationToken ct)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (read == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, ct);
            Pop3Harness.Feed(observer, fromClient, buffer.AsSpan(0, read));
        }
    }
}
