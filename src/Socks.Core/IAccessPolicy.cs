namespace Socks.Core;

/// <summary>
/// Decides who may go where: consulted at each <see cref="AccessPhase"/> of every session (accepted,
/// authenticated, requested, and once per resolved destination), so a rule can look at the client, the user,
/// the command and the destination both as the client named it and as it resolved.
/// </summary>
/// <remarks>
/// Implementations must be safe for concurrent use and quick: the accepted and authenticated phases run on
/// every connection. A policy that does not care about a phase returns <see cref="AccessDecision.Allow"/>
/// synchronously (a completed <see cref="ValueTask{TResult}"/> costs nothing). An exception fails the session
/// like an internal error. Several policies combine with <see cref="Access.CompositeAccessPolicy"/>.
/// </remarks>
public interface IAccessPolicy
{
    /// <summary>Decides about one phase of one session.</summary>
    /// <param name="request">The phase, the session and, at <see cref="AccessPhase.Resolved"/>, the destination.</param>
    /// <param name="cancellationToken">Cancelled when the session is aborted or its time limit runs out.</param>
    /// <returns>Allow, or deny with the REP code to answer.</returns>
    ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken);
}
