using Socks.Core.Protocol;

namespace Socks.Core;

/// <summary>The answer of an <see cref="IAccessPolicy"/>: allow, or deny with the REP code the client gets.</summary>
public readonly struct AccessDecision : IEquatable<AccessDecision>
{
    // The deciding rule's line plus one, so that default (allow) and a policy without rules read 0.
    private readonly int _rule;

    private AccessDecision(ReplyCode reply, int rule = 0)
    {
        Reply = reply;
        _rule = rule;
    }

    /// <summary>The request may go on.</summary>
    public static AccessDecision Allow => default;

    /// <summary>Denied with REP X'02' (connection not allowed by ruleset), the usual denial.</summary>
    public static AccessDecision DenyByRuleset => new(ReplyCode.ConnectionNotAllowed);

    /// <summary>True when the request may go on.</summary>
    public bool IsAllowed => Reply == ReplyCode.Succeeded;

    /// <summary><see cref="ReplyCode.Succeeded"/> when allowed; otherwise the REP code of the denial (used at <see cref="AccessPhase.Requested"/> and <see cref="AccessPhase.Resolved"/>).</summary>
    public ReplyCode Reply { get; }

    /// <summary>
    /// For a denial by a rules file (<see cref="Access.Rules.AccessRulesPolicy"/>), the line of the rule that denied, or 0 when
    /// no rule matched (the rules' default); null for a decision that did not come from a rules file. Written to the
    /// access log (docs/access-log.md, field 13). Not compared by <see cref="Equals(AccessDecision)"/>.
    /// </summary>
    public int? RuleLine => _rule == 0 ? null : _rule - 1;

    /// <summary>Denies with REP X'02' because of a rule of a rules file.</summary>
    /// <param name="line">The rule's line (1-based), or 0 when no rule matched (the default deny).</param>
    /// <returns>The decision, with <see cref="RuleLine"/> set.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="line"/> is negative.</exception>
    public static AccessDecision DenyByRule(int line)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(line);
        return new AccessDecision(ReplyCode.ConnectionNotAllowed, line + 1);
    }

    /// <summary>Denies with <paramref name="reply"/>.</summary>
    /// <param name="reply">Any code but <see cref="ReplyCode.Succeeded"/>; normally <see cref="ReplyCode.ConnectionNotAllowed"/>.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reply"/> is <see cref="ReplyCode.Succeeded"/>.</exception>
    public static AccessDecision Deny(ReplyCode reply)
    {
        if (reply == ReplyCode.Succeeded)
        {
            throw new ArgumentOutOfRangeException(nameof(reply), reply, "A denial needs a failure code.");
        }

        return new AccessDecision(reply);
    }

    /// <summary>Compares two decisions.</summary>
    /// <param name="left">One decision.</param>
    /// <param name="right">The other.</param>
    /// <returns>True when both allow, or both deny with the same code.</returns>
    public static bool operator ==(AccessDecision left, AccessDecision right) => left.Equals(right);

    /// <summary>Compares two decisions.</summary>
    /// <param name="left">One decision.</param>
    /// <param name="right">The other.</param>
    /// <returns>True when they differ.</returns>
    public static bool operator !=(AccessDecision left, AccessDecision right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(AccessDecision other) => Reply == other.Reply;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is AccessDecision other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (int)Reply;

    /// <inheritdoc/>
    public override string ToString() => IsAllowed ? "allow" : $"deny {Reply}";
}
