using System.Net;
using System.Net.Sockets;
using Socks.Core.Protocol;

namespace Socks.Core.Connectors.Direct;

/// <summary>The connection race of RFC 8305 §5.</summary>
internal sealed partial class DirectConnector
{
    /// <summary>
    /// Orders endpoints for racing (RFC 8305 §4): the family of the first endpoint first, then alternating families,
    /// keeping the given order within each family; the rest of the longer family goes last.
    /// </summary>
    internal static List<IPEndPoint> Interleave(IReadOnlyList<IPEndPoint> endpoints)
    {
        var result = new List<IPEndPoint>(endpoints.Count);
        if (endpoints.Count == 0)
        {
            return result;
        }

        var firstFamily = endpoints[0].AddressFamily;
        var first = endpoints.Where(e => e.AddressFamily == firstFamily).ToList();
        var other = endpoints.Where(e => e.AddressFamily != firstFamily).ToList();
        for (var i = 0; i < Math.Max(first.Count, other.Count); i++)
        {
            if (i < first.Count)
            {
                result.Add(first[i]);
            }

            if (i < other.Count)
            {
                result.Add(other[i]);
            }
        }

        return result;
    }


    private async ValueTask<Socket> ConnectSocketAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // -b: the source address of this family; a destination of the other family is dialed unbound.
            if ((endpoint.AddressFamily == AddressFamily.InterNetwork ? _outboundV4 : _outboundV6) is { } source)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Disposes whatever socket an abandoned attempt still produces, and observes its failure.</summary>
    private static void DisposeWhenDone(Task<Socket> attempt) =>
        attempt.ContinueWith(
            static t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    t.Result.Dispose();
                }
                else
                {
                    // An abandoned attempt's error no longer decides anything; reading it marks it observed so it
                    // is not reported as an unobserved task exception.
                    _ = t.Exception;
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private static void SetNoDelay(Socket socket)
    {
        try
        {
            socket.NoDelay = true;
        }
        catch (SocketException)
        {
            // Nagle's algorithm only adds latency to small writes; a socket that refuses the option (the peer
            // already reset it, say) still relays, and the relay reports the reset itself.
        }
    }

    private static void StopDelay(ref Task? delay, ref CancellationTokenSource? delayCancellation)
    {
        delay = null;
        if (delayCancellation is not null)
        {
            // Disposes the timer of a delay that has not fired yet.
            delayCancellation.Cancel();
            delayCancellation.Dispose();
            delayCancellation = null;
        }
    }

    /// <summary>
    /// Races connection attempts over <paramref name="endpoints"/> (already ordered) until one connects, all fail,
    /// or <paramref name="cancellationToken"/> (deadline or caller) fires, which throws.
    /// </summary>
    private async Task<ConnectResult> ConnectFirstAsync(List<IPEndPoint> endpoints, CancellationToken cancellationToken)
    {
        using var attempts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Wakes the race even when a connect step ignores its token.
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetResult(), cancelled);

        var running = new List<(IPEndPoint EndPoint, Task<Socket> Task)>(endpoints.Count);
        var waitSet = new List<Task>(endpoints.Count + 2);
        var failures = new FailureRanking();
        CancellationTokenSource? delayCancellation = null;
        Task? delay = null;
        var next = 0;
        try
        {
            while (true)
            {
                if (delay is null && next < endpoints.Count)
                {
                    var endpoint = endpoints[next++];
                    if (next < endpoints.Count)
                    {
                        // The delay timer is created before the attempt starts: once an attempt has been seen to
                        // start, the clock that starts the next one is already running.
                        delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(attempts.Token);
                        delay = Task.Delay(ConnectionAttemptDelay, _timeProvider, delayCancellation.Token);
                    }

                    running.Add((endpoint, AttemptAsync(endpoint, attempts.Token)));
                }

                if (running.Count == 0)
                {
                    return failures.ToResult();
                }

                waitSet.Clear();
                waitSet.Add(cancelled.Task);
                if (delay is not null)
                {
                    waitSet.Add(delay);
                }

                foreach (var attempt in running)
                {
                    waitSet.Add(attempt.Task);
                }

                var completed = await Task.WhenAny(waitSet).ConfigureAwait(false);

                // Checked first: cancellation also completes the delay and the attempts, and none of those may
                // start another attempt or count as a connect failure.
                cancellationToken.ThrowIfCancellationRequested();

                if (completed == delay)
                {
                    StopDelay(ref delay, ref delayCancellation);
                    continue;
                }

                var index = running.FindIndex(a => a.Task == completed);
                var (finishedEndPoint, finished) = running[index];
                running.RemoveAt(index);
                if (finished.IsCompletedSuccessfully)
                {
                    var socket = finished.Result;
                    SetNoDelay(socket);
                    return ConnectResult.Connected(socket, finishedEndPoint);
                }

                failures.Record(finishedEndPoint, finished.Exception?.InnerException);

                // A failure starts the next attempt at once instead of waiting for the rest of the delay.
                StopDelay(ref delay, ref delayCancellation);
            }
        }
        finally
        {
            StopDelay(ref delay, ref delayCancellation);
            attempts.Cancel();
            foreach (var (_, loser) in running)
            {
                DisposeWhenDone(loser);
            }
        }
    }

    private async Task<Socket> AttemptAsync(IPEndPoint endpoint, CancellationToken cancellationToken) =>
        await _connect(endpoint, cancellationToken).ConfigureAwait(false);

    /// <summary>Keeps the most telling failure of a race; see the precedence in the <see cref="DirectConnector"/> remarks.</summary>
    private sealed class FailureRanking
    {
        private ReplyCode _reply = ReplyCode.GeneralFailure;
        private IPEndPoint? _endPoint;
        private int _rank;

        public void Record(IPEndPoint endPoint, Exception? error)
        {
            // Only socket errors say something about the destination; anything else (a connect step's bug,
            // a disposed socket) is a general failure.
            var reply = error is SocketException socketError
                ? SocketErrorMapping.ToReplyCode(socketError.SocketErrorCode)
                : ReplyCode.GeneralFailure;
            var rank = Rank(reply);
            if (rank > _rank)
            {
                _rank = rank;
                _reply = reply;
                _endPoint = endPoint;
            }
        }

        public ConnectResult ToResult() => ConnectResult.Failed(_reply, _endPoint);

        private static int Rank(ReplyCode reply) => reply switch
        {
            ReplyCode.ConnectionRefused => 5,
            ReplyCode.HostUnreachable => 4,
            ReplyCode.TtlExpired => 3,
            ReplyCode.NetworkUnreachable => 2,
            _ => 1,
        };
    }
}
