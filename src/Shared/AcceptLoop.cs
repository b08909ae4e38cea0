using System.Net.Sockets;

namespace Socks.Shared;

/// <summary>
/// The accept loop of a listening socket, shared by the SOCKS and the MCP listener: takes clients until the socket
/// is closed, skips clients that gave up in the backlog, and backs off on any other failure instead of spinning or
/// giving up the listener.
/// </summary>
/// <remarks>
/// Out of descriptors (EMFILE/ENFILE) or buffers (ENOBUFS) the pending connection stays queued (epoll is level
/// triggered), so retrying at once would fail at once. The loop waits <see cref="MinBackoff"/>, doubling up to
/// <see cref="MaxBackoff"/>, on the injected clock, and reports only the first failure of an episode and the
/// recovery that ends it.
/// </remarks>
internal sealed class AcceptLoop
{
    /// <summary>The first wait after a failed accept.</summary>
    public static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest wait between two failed accepts.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly Socket _listener;
    private readonly IAcceptLoopHandler _handler;
    private readonly TimeProvider _time;
    private readonly Func<Socket, CancellationToken, ValueTask<Socket>> _accept;

    /// <summary>Prepares a loop; nothing is accepted until <see cref="RunAsync"/>.</summary>
    /// <param name="listener">The bound, listening socket; closing it ends the loop.</param>
    /// <param name="handler">Takes the clients and hears about failures.</param>
    /// <param name="time">The clock the back-off waits on.</param>
    /// <param name="accept">Takes the next client from the listener; null uses <see cref="Socket.AcceptAsync(CancellationToken)"/> (tests script failures here).</param>
    public AcceptLoop(Socket listener, IAcceptLoopHandler handler, TimeProvider time, Func<Socket, CancellationToken, ValueTask<Socket>>? accept = null)
    {
        _listener = listener;
        _handler = handler;
        _time = time;
        _accept = accept ?? AcceptFromOs;
    }

    /// <summary>Accepts until the listener is closed.</summary>
    /// <returns>A task that completes when the listener has been closed (it never faults on a socket error).</returns>
    public async Task RunAsync()
    {
        var backoff = MinBackoff;
        long failures = 0;
        while (true)
        {
            Socket client;
            try
            {
                client = await _accept(_listener, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (_handler.IsStopping)
            {
                // The owner closed the listener under the pending accept.
                return;
            }
            catch (SocketException exception) when (SocketErrors.IsResetInBacklog(exception.SocketErrorCode))
            {
                // The client gave up while queued; nothing to serve.
                continue;
            }
            catch (SocketException exception)
            {
                if (failures++ == 0)
                {
                    _handler.OnAcceptFailing(exception.SocketErrorCode, backoff);
                }

                try
                {
                    await Task.Delay(backoff, _time).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                continue;
            }

            if (failures > 0)
            {
                _handler.OnAcceptRecovered(failures);
                failures = 0;
                backoff = MinBackoff;
            }

            _handler.OnAccepted(client);
        }
    }

    private static ValueTask<Socket> AcceptFromOs(Socket listener, CancellationToken cancellationToken) =>
        listener.AcceptAsync(cancellationToken);
}
