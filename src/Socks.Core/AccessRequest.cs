using System.Net;

namespace Socks.Core;

/// <summary>What an <see cref="IAccessPolicy"/> decides about: a session at one phase, and at <see cref="AccessPhase.Resolved"/> one destination.</summary>
public readonly struct AccessRequest
{
    /// <summary>Creates a request for a phase before resolution.</summary>
    /// <param name="phase">The phase.</param>
    /// <param name="session">The session.</param>
    public AccessRequest(AccessPhase phase, SessionContext session)
        : this(phase, session, destination: null)
    {
    }

    /// <summary>Creates a request.</summary>
    /// <param name="phase">The phase.</param>
    /// <param name="session">The session.</param>
    /// <param name="destination">The resolved address and port about to be dialed (<see cref="AccessPhase.Resolved"/>), else null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> is null, or <paramref name="destination"/> is null at <see cref="AccessPhase.Resolved"/>.</exception>
    public AccessRequest(AccessPhase phase, SessionContext session, IPEndPoint? destination)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (phase == AccessPhase.Resolved)
        {
            ArgumentNullException.ThrowIfNull(destination);
        }

        Phase = phase;
        Session = session;
        Destination = destination;
    }

    /// <summary>The phase of the session.</summary>
    public AccessPhase Phase { get; }

    /// <summary>The session: client, method, user and request as far as the phase knows them.</summary>
    public SessionContext Session { get; }

    /// <summary>At <see cref="AccessPhase.Resolved"/> the address and port about to be dialed (IPv4-mapped addresses as IPv4); otherwise null.</summary>
    public IPEndPoint? Destination { get; }
}
