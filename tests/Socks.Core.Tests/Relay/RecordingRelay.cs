using System.Collections.Concurrent;
using Socks.Core.Relay;

namespace Socks.Core.Tests.Relay;

/// <summary>The user-space relay, keeping the hooks of every request it was handed.</summary>
internal sealed class RecordingRelay : IRelay
{
    private readonly UserSpaceRelay _inner = new(64 * 1024);

    public ConcurrentQueue<RelayHooks> Hooks { get; } = new();

    public Task<RelayResult> RelayAsync(RelayRequest request)
    {
        Hooks.Enqueue(request.Hooks);
        return _inner.RelayAsync(request);
    }
}
