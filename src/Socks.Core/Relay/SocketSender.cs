using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace Socks.Core.Relay;

/// <summary>
/// One direction's reusable send operation. Unlike <see cref="Socket.SendAsync(ReadOnlyMemory{byte}, SocketFlags, CancellationToken)"/>,
/// which throws away how much of a buffer went out when the send fails, it reports the bytes the kernel accepted
/// in every case, so the counters hold exactly what was handed to the kernel, a failed write's part included.
/// One send at a time; no allocation per send.
/// </summary>
internal sealed class SocketSender : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private ManualResetValueTaskSourceCore<int> _completion;

    /// <summary>Creates the sender; the relay's sends do not carry the caller's execution context.</summary>
    public SocketSender()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>
    /// Sends all of <paramref name="data"/> (the kernel may take it in several steps) or fails part way;
    /// <see cref="SocketAsyncEventArgs.SocketError"/> then says how.
    /// </summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="data">The bytes; not to be changed until the send completes.</param>
    /// <returns>The bytes the kernel accepted: all of them on success, those before the failure otherwise.</returns>
    /// <exception cref="ObjectDisposedException">The socket was closed before the send started.</exception>
    public ValueTask<int> SendAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        SetBuffer(MemoryMarshal.AsMemory(data));
        _completion.Reset();
        return socket.SendAsync(this)
            ? new ValueTask<int>(this, _completion.Version)
            : new ValueTask<int>(BytesTransferred);
    }

    /// <inheritdoc/>
    int IValueTaskSource<int>.GetResult(short token) => _completion.GetResult(token);

    /// <inheritdoc/>
    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _completion.GetStatus(token);

    /// <inheritdoc/>
    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    /// <inheritdoc/>
    protected override void OnCompleted(SocketAsyncEventArgs e) => _completion.SetResult(BytesTransferred);
}
