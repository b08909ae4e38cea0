namespace Socks.Core;

/// <summary>When in a session an <see cref="IAccessPolicy"/> is asked, and what a denial does there.</summary>
public enum AccessPhase : byte
{
    /// <summary>
    /// Right after the connection was accepted, before any byte was read. Only <see cref="SessionContext.Client"/>
    /// is known. A denial closes the connection without a reply (no SOCKS message has been exchanged yet).
    /// </summary>
    Accepted,

    /// <summary>
    /// After method selection and, for username/password, a successful RFC 1929 check: the method and the user
    /// are known. A denial closes the connection without a reply (RFC 1928 has no reply before the request).
    /// </summary>
    Authenticated,

    /// <summary>
    /// After the request (RFC 1928 §4) was read, before any name is resolved: the command and the destination
    /// as the client gave it are known. A denial is answered with the decision's REP code.
    /// </summary>
    Requested,

    /// <summary>
    /// Once per resolved destination address, before it is dialed (<see cref="AccessRequest.Destination"/> is
    /// set). A denied address is skipped; when every address is denied, the reply is the code of the first denial.
    /// For BIND, once for the peer that connected in (its address and port), before the second reply; a denial
    /// closes the peer and answers with the decision's code. RESOLVE and RESOLVE_PTR dial nothing and have no such phase.
    /// </summary>
    Resolved,
}
