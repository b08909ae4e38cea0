using System.Net.Sockets;
using System.Threading.Channels;

namespace Tests.Common;

/// <summary>
/// The OS boundary of an accept loop: fails the listed calls (1-based) with EMFILE, passes the others to the real
/// accept. One file shared by the test projects that drive a listener's back-off (linked as <c>Support\ScriptedAcceptor.cs</c>).
/// </summary>
/// <param name="failingCalls">The calls that fail.</param>
/// <param name="timeout">How long <see cref="NextCallAsync"/> waits for a call.</param>
public sealed class ScriptedAcceptor(IReadOnlyCollection<int> failingCalls, TimeSpan timeout)
{
    private readonly Channel<int> _calls = Channel.CreateUnbounded<int>();
    private int _count;
    private volatile bool _stopped;

    public int Calls => Volatile.Read(ref _count);

    public void StopFailing() => _stopped = true;

    /// <summary>Completes with the number of the next accept call, in call order.</summary>
    public Task<int> NextCallAsync() => _calls.Reader.ReadAsync().AsTask().WaitAsync(timeout);

    /// <summary>Completes when a call not yet taken by <see cref="NextCallAsync"/> has happened.</summary>
    public Task WhenCalledAgainAsync() => _calls.Reader.WaitToReadAsync().AsTask();

    /// <summary>
    /// Waits for accept call <paramref name="call"/>, which the script fails, then for the back-off timer the loop
    /// must schedule on <paramref name="timers"/> before it calls accept again; fails at once if accept is called
    /// again first. Returns the timer's delay; timers longer than <paramref name="maxBackoff"/> (the connections'
    /// own timeouts) are skipped.
    /// </summary>
    public async Task<TimeSpan> FailedCallThenBackoffAsync(TimerWatchingClock timers, int call, TimeSpan maxBackoff)
    {
        (await NextCallAsync()).Should().Be(call);
        while (true)
        {
            await Task.WhenAny(timers.WhenCreatedAsync(), WhenCalledAgainAsync()).WaitAsync(timeout);
            timers.TryTakeCreated(out var due).Should().BeTrue(
                "after failed accept {0} the loop must wait on a timer before it calls accept again (no spinning)", call);
            if (due <= maxBackoff)
            {
                return due;
            }
        }
    }

    public ValueTask<Socket> AcceptAsync(Socket listener, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _count);
        _calls.Writer.TryWrite(call);
        if (!_stopped && failingCalls.Contains(call))
        {
            return ValueTask.FromException<Socket>(new SocketException((int)SocketError.TooManyOpenSockets));
        }

        return listener.AcceptAsync(cancellationToken);
    }
}
