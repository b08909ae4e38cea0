using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Socks.Core.Tests.Connectors.Direct;

/// <summary>
/// Stands in for the dialer's connect step: every call becomes a <see cref="ScriptedAttempt"/> that the test
/// completes when it wants (succeed, fail with a socket error, or never), and is announced in start order.
/// </summary>
internal sealed class ScriptedConnector
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly Channel<ScriptedAttempt> _started = Channel.CreateUnbounded<ScriptedAttempt>();
    private readonly Lock _lock = new();
    private readonly List<ScriptedAttempt> _attempts = [];

    /// <summary>When false, attempts ignore their cancellation token, like a connect that completes anyway.</summary>
    public bool HonourCancellation { get; init; } = true;

    /// <summary>Every attempt started so far, in start order.</summary>
    public IReadOnlyList<ScriptedAttempt> Attempts
    {
        get
        {
            lock (_lock)
            {
                return [.. _attempts];
            }
        }
    }

    public ValueTask<Socket> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var attempt = new ScriptedAttempt(endpoint, cancellationToken, HonourCancellation);
        lock (_lock)
        {
            _attempts.Add(attempt);
        }

        _started.Writer.TryWrite(attempt);
        return new ValueTask<Socket>(attempt.Task);
    }

    /// <summary>The next attempt to start (in order), waiting for it with a generous upper bound.</summary>
    public async Task<ScriptedAttempt> NextAttemptAsync() =>
        await _started.Reader.ReadAsync().AsTask().WaitAsync(Bound);
}

/// <summary>One connect call of the dialer, completed by the test.</summary>
internal sealed class ScriptedAttempt
{
    private readonly TaskCompletionSource<Socket> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ScriptedAttempt(IPEndPoint endPoint, CancellationToken cancellationToken, bool honourCancellation)
    {
        EndPoint = endPoint;
        Token = cancellationToken;
        if (honourCancellation)
        {
            cancellationToken.Register(() => _outcome.TrySetCanceled(cancellationToken));
        }
    }

    public IPEndPoint EndPoint { get; }

    public CancellationToken Token { get; }

    public bool WasCancelled => Token.IsCancellationRequested;

    public Task<Socket> Task => _outcome.Task;

    public void Succeed(Socket socket) => _outcome.SetResult(socket);

    public void Fail(SocketError error) => _outcome.SetException(new SocketException((int)error));

    public void Fail(Exception error) => _outcome.SetException(error);
}
