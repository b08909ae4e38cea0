using Socks.Core.Protocol;

namespace Socks.Core;

/// <summary>The answer of an <see cref="IAccessPolicy"/>: allow, or deny with the REP code the client gets.</summary>
public readonly struct AccessDecision : IEquatable<AccessDecision>
{
    private AccessDecision(ReplyCode reply) => Reply = reply;

    /// <summary>The request may go on.</summary>
    public static AccessDecision Allow => default;

    /// <summary>Denied with REP X'02' (connection not allowed by ruleset), the usual denial.</summary>
    public static AccessDecision DenyByRuleset => new(ReplyCode.ConnectionNotAllowed);

    /// <summary>True when the request may go on.</summary>
    public bool IsAllowed => Reply == ReplyCode.Succeeded;

    /// <summary><see cref="ReplyCode.Succeeded"/> when allowed; otherwise the REP code of the denial (used at <see cref="AccessPhase.Requested"/> and <see cref="AccessPhase.Resolved"/>).</summary>
    public ReplyCode Reply { get; }

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
