using Microsoft.Extensions.Logging.Abstractions;
using Socks.Core.Dissectors;
using Socks.Core.Relay;

namespace Socks.Core.Tests.Relay;

public sealed class TrafficTapTests
{
    [Test]
    public void Observe_ByDirection_CallsTheMatchingMethod()
    {
        var observer = new Observer();
        var tap = new TrafficTap(observer, NullLogger.Instance, 1);

        tap.Observe(fromClient: true, "abc"u8);
        tap.Observe(fromClient: false, "de"u8);

        observer.Client.Should().Be(3);
        observer.Target.Should().Be(2);
        tap.IsActive.Should().BeTrue();
    }

    [Test]
    public void Observe_ObserverThrows_DropsItAndNeverCallsAgain()
    {
        var observer = new Observer { Throw = true };
        var tap = new TrafficTap(observer, NullLogger.Instance, 1);

        tap.Observe(fromClient: true, "abc"u8);
        tap.Observe(fromClient: true, "abc"u8);

        observer.Calls.Should().Be(1);
        tap.IsActive.Should().BeFalse();
    }

    [Test]
    public void Observe_ObserverFinished_DropsIt()
    {
        var observer = new Observer { Finished = true };
        var tap = new TrafficTap(observer, NullLogger.Instance, 1);

        tap.Observe(fromClient: false, "abc"u8);

        observer.Calls.Should().Be(0);
        tap.IsActive.Should().BeFalse();
    }

    private sealed class Observer : ITrafficObserver
    {
        public bool Throw { get; init; }

        public bool Finished { get; init; }

        public int Calls { get; private set; }

        public int Client { get; private set; }

        public int Target { get; private set; }

        public bool IsFinished => Finished;

        public void OnClientData(ReadOnlySpan<byte> data)
        {
            Calls++;
            Client += data.Length;
            if (Throw)
            {
                throw new InvalidOperationException("observer bug");
            }
        }

        public void OnTargetData(ReadOnlySpan<byte> data)
        {
            Calls++;
            Target += data.Length;
        }
    }
}
