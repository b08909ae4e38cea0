using System.Net;
using Socks.Core.Protocol;

namespace Socks.Core.Access.Rules;

/// <summary>
/// The access policy of a rules file (docs/rules.md): asks the current <see cref="AccessRuleSet"/> about each request
/// and each resolved destination, and decides at method selection where anonymous sessions are possible.
/// </summary>
/// <remarks>
/// <para>
/// At <see cref="AccessPhase.Requested"/> the rules see the client, the user, the command and the destination as the
/// client gave it (a name, or an address literal); at <see cref="AccessPhase.Resolved"/> also the address about to be
/// dialed (for BIND the peer that connected in, for UDP ASSOCIATE each new datagram destination). When the first rule
/// that could match a request needs an address not known yet, the request goes on and that rule is decided at
/// <see cref="AccessPhase.Resolved"/>. The accepted and authenticated phases are always allowed (a session the rules
/// deny is answered REP X'02' at its request).
/// </para>
/// <para>
/// A denial is <see cref="AccessDecision.DenyByRule"/> with the rule's line, or line 0 when no rule matched. Evaluation
/// allocates nothing. <see cref="Rules"/> can be replaced at any time (a reload); each evaluation uses one set.
/// </para>
/// </remarks>
public sealed class AccessRulesPolicy : IAccessPolicy, IAnonymousAccessPolicy
{
    private volatile AccessRuleSet _rules;

    /// <summary>Creates the policy.</summary>
    /// <param name="rules">The rules to start with.</param>
    public AccessRulesPolicy(AccessRuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules;
    }

    /// <summary>The rules in force; setting it replaces them for every later evaluation (sessions already relaying are not re-judged).</summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    public AccessRuleSet Rules
    {
        get => _rules;
        set => _rules = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <inheritdoc/>
    public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Evaluate(request));

    /// <inheritdoc/>
    public bool MayAllowAnonymous(IPEndPoint client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return _rules.MayAllowAnonymous(client.Address);
    }

    /// <summary>Evaluates one phase synchronously.</summary>
    /// <param name="request">The phase and session.</param>
    /// <returns>The decision.</returns>
    internal AccessDecision Evaluate(in AccessRequest request)
    {
        if (request.Phase is not (AccessPhase.Requested or AccessPhase.Resolved) || request.Session.Request is not { } socks)
        {
            return AccessDecision.Allow;
        }

        var session = request.Session;
        var udp = socks.Command == (byte)SocksCommand.UdpAssociate;
        var named = socks.AddressType == AddressType.DomainName && !udp;
        var input = new RuleInput
        {
            Client = session.Client.Address,
            Authenticated = session.IsAuthenticated,
            User = session.Username.Span,
            Command = socks.Command,
            Name = named ? socks.DomainName : default,
        };
        if (request.Phase == AccessPhase.Resolved)
        {
            input.Address = request.Destination!.Address;
            input.Port = request.Destination.Port;
        }
        else if (udp)
        {
            // The request's DST is the client's own UDP address (RFC 1928 §7): destinations come with the datagrams.
            input.AddressLater = true;
            input.PortLater = true;
        }
        else
        {
            input.Address = socks.Address;
            input.Port = socks.Port;

            // A name is resolved and judged again at the Resolved phase, except by RESOLVE, which dials nothing.
            input.AddressLater = named && socks.Command != (byte)SocksCommand.Resolve;
        }

        var outcome = _rules.Evaluate(input, out var line);
        return outcome == RuleOutcome.Deny ? AccessDecision.DenyByRule(line) : AccessDecision.Allow;
    }
}
