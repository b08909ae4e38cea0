namespace Socks.Core.Access;

/// <summary>
/// Several access policies as one: asked in order, the first denial wins and the rest are not asked; allowed
/// when every policy allows.
/// </summary>
public sealed class CompositeAccessPolicy : IAccessPolicy
{
    private readonly IAccessPolicy[] _policies;

    /// <summary>Combines <paramref name="policies"/>, asked in this order.</summary>
    /// <param name="policies">The policies; at least one, none null.</param>
    /// <exception cref="ArgumentException">No policy was given, or one is null.</exception>
    public CompositeAccessPolicy(params IEnumerable<IAccessPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        _policies = [.. policies];
        if (_policies.Length == 0)
        {
            throw new ArgumentException("At least one policy is required.", nameof(policies));
        }

        if (Array.IndexOf(_policies, null) >= 0)
        {
            throw new ArgumentException("A policy is null.", nameof(policies));
        }
    }

    /// <summary>The policies, in the order they are asked.</summary>
    public IReadOnlyList<IAccessPolicy> Policies => _policies;

    /// <inheritdoc/>
    public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        // Stay synchronous while the policies answer synchronously: the common case allocates nothing.
        for (var i = 0; i < _policies.Length; i++)
        {
            var pending = _policies[i].EvaluateAsync(request, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return ContinueAsync(pending, i, request, cancellationToken);
            }

            var decision = pending.Result;
            if (!decision.IsAllowed)
            {
                return ValueTask.FromResult(decision);
            }
        }

        return ValueTask.FromResult(AccessDecision.Allow);
    }

    private async ValueTask<AccessDecision> ContinueAsync(ValueTask<AccessDecision> pending, int index, AccessRequest request, CancellationToken cancellationToken)
    {
        var decision = await pending.ConfigureAwait(false);
        for (var i = index + 1; decision.IsAllowed && i < _policies.Length; i++)
        {
            decision = await _policies[i].EvaluateAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return decision;
    }
}
