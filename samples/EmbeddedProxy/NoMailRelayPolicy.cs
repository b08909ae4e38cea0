using Socks.Core;
using Socks.Core.Protocol;

namespace EmbeddedProxy;

/// <summary>An access policy: no CONNECT to the SMTP ports, so the proxy cannot relay spam (REP X'02').</summary>
internal sealed class NoMailRelayPolicy : IAccessPolicy
{
    private static readonly HashSet<int> MailPorts = [25, 465, 587];

    public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        // Requested: the destination as the client gave it (an address or a name), before any lookup.
        var denied = request.Phase == AccessPhase.Requested && request.Session.Request is { } connect && MailPorts.Contains(connect.Port);
        return ValueTask.FromResult(denied ? AccessDecision.Deny(ReplyCode.ConnectionNotAllowed) : AccessDecision.Allow);
    }
}
