using System.Net.Sockets;

namespace Socks.Core.Tests.Connectors.Direct;

/// <summary>A real (unconnected) TCP socket that tells the test when it is disposed.</summary>
internal sealed class TrackedSocket : Socket
{
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TrackedSocket(AddressFamily family = AddressFamily.InterNetwork)
        : base(family, SocketType.Stream, ProtocolType.Tcp)
    {
    }

    public bool IsDisposed => _disposed.Task.IsCompleted;

    /// <summary>Completes when the socket is disposed; waits with a generous upper bound.</summary>
    public Task WaitDisposedAsync() => _disposed.Task.WaitAsync(TimeSpan.FromSeconds(30));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _disposed.TrySetResult();
    }
}
