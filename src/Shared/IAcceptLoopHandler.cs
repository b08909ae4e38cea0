using System.Net.Sockets;

namespace Socks.Shared;

/// <summary>What a listener does with the clients and the failures of its <see cref="AcceptLoop"/>.</summary>
internal interface IAcceptLoopHandler
{
    /// <summary>Gets a value indicating whether the owner is closing the listener, so a failing accept means "stop", not "back off".</summary>
    bool IsStopping { get; }

    /// <summary>Takes a newly accepted client; called on the accept loop, so it must hand the work off at once.</summary>
    /// <param name="client">The connected client socket, now owned by the handler.</param>
    void OnAccepted(Socket client);

    /// <summary>Reports the first failure of an episode (later ones are not reported until a recovery).</summary>
    /// <param name="error">The error of the failed accept.</param>
    /// <param name="backoff">How long the loop waits before it tries again.</param>
    void OnAcceptFailing(SocketError error, TimeSpan backoff);

    /// <summary>Reports that an accept worked again after an episode of failures.</summary>
    /// <param name="failures">How many accepts failed in the episode.</param>
    void OnAcceptRecovered(long failures);
}
