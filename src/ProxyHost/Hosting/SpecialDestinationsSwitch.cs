using Socks.Core;
using Socks.Core.Access;

namespace ProxyHost.Hosting;

/// <summary>
/// The refusal of link-local, metadata, unspecified, multicast and broadcast destinations
/// (<see cref="SpecialDestinationsPolicy"/>), on unless <c>--allow-all-destinations</c>, and switchable while socks5d
/// runs (SIGHUP configuration reload). Read at every access decision: the next dial sees a change.
/// </summary>
internal sealed class SpecialDestinationsSwitch : IAccessPolicy
{
    private volatile bool _allowAll;

    /// <summary>Creates the switch.</summary>
    /// <param name="allowAll">True for <c>--allow-all-destinations</c>.</param>
    public SpecialDestinationsSwitch(bool allowAll)
    {
        _allowAll = allowAll;
    }

    /// <summary>True when every destination is allowed (<c>--allow-all-destinations</c>).</summary>
    public bool AllowAll
    {
        get => _allowAll;
        set => _allowAll = value;
    }

    /// <inheritdoc/>
    public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken) =>
        _allowAll ? ValueTask.FromResult(AccessDecision.Allow) : SpecialDestinationsPolicy.Instance.EvaluateAsync(request, cancellationToken);
}
