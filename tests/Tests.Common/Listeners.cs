using System.Net;
using System.Net.Sockets;

namespace Tests.Common;

/// <summary>Probes of a listening socket from the outside.</summary>
public static class Listeners
{
    /// <summary>
    /// Completes once a connect to <paramref name="endpoint"/> is refused: the server closed its listener as its stop
    /// began. A probe that got in before is a short session of its own.
    /// </summary>
    public static async Task WaitUntilRefusedAsync(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        while (true)
        {
            using var probe = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(endpoint).WaitAsync(TestTimeouts.Generous);
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                // Refused, or reset while queued in the backlog of the listener being closed.
                return;
            }

            await Task.Yield();
        }
    }
}
