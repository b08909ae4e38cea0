using System.Net;
using System.Text;
using Socks.Core.Dissectors;
using Socks.Core.Dissectors.Pop3;

namespace Socks.Core.Tests.Dissectors.Pop3;

/// <summary>One chunk of a scripted session: who sent it and the bytes.</summary>
internal sealed record Step(bool FromClient, byte[] Data)
{
    public override string ToString() => (FromClient ? "C: " : "S: ") + Encoding.Latin1.GetString(Data).ReplaceLineEndings("\\n");
}

/// <summary>A factory, switch, clock and sink wired together, plus helpers to feed scripted traffic.</summary>
internal sealed class Pop3Harness
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 26, 8, 1, 2, 123, TimeSpan.Zero);

    public Pop3Harness(bool enabled = true, IReadOnlyCollection<int>? ports = null, ICredentialSink? sink = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        Switch = new DissectorSwitch(enabled);
        Sink = new CollectingCredentialSink();
        Factory = new Pop3DissectorFactory(sink ?? Sink, Switch, ports, Time, logger);
    }

    public DissectorSwitch Switch { get; }

    public CollectingCredentialSink Sink { get; }

    public ManualTimeProvider Time { get; } = new(Epoch);

    public Pop3DissectorFactory Factory { get; }

    public static SessionInfo Session(int port = 110) => new()
    {
        SessionId = 42,
        Username = "bob"u8.ToArray(),
        Client = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 51234),
        RequestedHost = "pop.example.net"u8.ToArray(),
        RequestedPort = (ushort)port,
        Target = new IPEndPoint(IPAddress.Parse("198.51.100.25"), port),
    };

    public static Step C(string text) => new(true, Encoding.Latin1.GetBytes(text));

    public static Step S(string text) => new(false, Encoding.Latin1.GetBytes(text));

    public ITrafficObserver Create(int port = 110) =>
        Factory.Create(Session(port)) ?? throw new InvalidOperationException("The factory returned no observer.");

    public static void Feed(ITrafficObserver observer, IEnumerable<Step> steps)
    {
        foreach (var step in steps)
        {
            Feed(observer, step);
        }
    }

    public static void Feed(ITrafficObserver observer, Step step) => Feed(observer, step.FromClient, step.Data);

    public static void Feed(ITrafficObserver observer, bool fromClient, ReadOnlySpan<byte> data)
    {
        // The relay stops calling a finished observer.
        if (observer.IsFinished)
        {
            return;
        }

        if (fromClient)
        {
            observer.OnClientData(data);
        }
        else
        {
            observer.OnTargetData(data);
        }
    }

    public static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.Latin1.GetString(bytes);
}
