namespace Socks.Core.Dissectors;

/// <summary>
/// Chooses, once per session after the target is connected, whether and how to watch its traffic.
/// </summary>
public interface ITrafficObserverFactory
{
    /// <summary>Creates an observer for the session, or returns null to leave it unwatched (the relay then pays nothing).</summary>
    /// <param name="session">The connected session.</param>
    /// <returns>An observer, or null.</returns>
    ITrafficObserver? Create(SessionInfo session);
}
