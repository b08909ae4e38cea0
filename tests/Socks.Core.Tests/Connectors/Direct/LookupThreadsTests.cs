using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Socks.Core.Connectors.Direct;

namespace Socks.Core.Tests.Connectors.Direct;

/// <summary>The connector's own lookup threads, with a real blocking lookup step held by the test.</summary>
[CancelAfter(30_000)]
public class LookupThreadsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Test]
    public async Task LookupAsync_MoreBlockingLookupsThanThreads_RunOnTheirOwnThreadsNeverMoreThanTheLimit()
    {
        using var gate = new SemaphoreSlim(0);
        using var twoEntered = new ManualResetEventSlim();
        var entered = 0;
        var ranOn = new ConcurrentBag<(string? Name, bool IsPoolThread)>();
        var threads = new LookupThreads(2, name =>
        {
            ranOn.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread));
            if (Interlocked.Increment(ref entered) == 2)
            {
                twoEntered.Set();
            }

            gate.Wait();
            return [IPAddress.Loopback];
        });

        var lookups = Enumerable.Range(0, 3).Select(i => threads.LookupAsync($"n{i}.example")).ToList();
        twoEntered.Wait(Bound).Should().BeTrue("two lookups block their threads");

        threads.Threads.Should().Be(2);
        Volatile.Read(ref entered).Should().Be(2, "the third lookup waits for a thread");
        lookups.Count(l => l.IsCompleted).Should().Be(0);
        gate.Release(3);
        var results = await Task.WhenAll(lookups).WaitAsync(Bound);

        results.Should().OnlyContain(r => r.Single().Equals(IPAddress.Loopback));
        ranOn.Should().HaveCount(3).And.OnlyContain(t => t.Name == "socks-dns" && !t.IsPoolThread);
        threads.Threads.Should().BeLessThanOrEqualTo(2);
    }

    [Test]
    public async Task LookupAsync_LookupThrows_TaskFaultsWithThatException()
    {
        var threads = new LookupThreads(1, _ => throw new SocketException((int)SocketError.HostNotFound));

        var act = () => threads.LookupAsync("missing.example").WaitAsync(Bound);

        (await act.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.HostNotFound);
    }

    [Test]
    public async Task LookupAsync_SystemResolver_ResolvesLocalhost()
    {
        var threads = new LookupThreads(1);

        var addresses = await threads.LookupAsync("localhost").WaitAsync(Bound);

        addresses.Should().Contain(a => IPAddress.IsLoopback(a));
    }
}
