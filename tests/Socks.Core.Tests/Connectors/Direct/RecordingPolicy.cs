using System.Net;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Connectors.Direct;

/// <summary>
/// An access policy driven by a function at the resolved phase, remembering every endpoint it was asked about; with
/// <paramref name="allowOtherPhases"/> it allows the other phases (as a server asks them), else asking them fails.
/// </summary>
internal sealed class RecordingPolicy(Func<IPEndPoint, ReplyCode> decide, bool allowOtherPhases = false) : IAccessPolicy
{
    private readonly Lock _lock = new();
    private readonly List<IPEndPoint> _checked = [];

    public IReadOnlyList<IPEndPoint> Checked
    {
        get
        {
            lock (_lock)
            {
                return [.. _checked];
            }
        }
    }

    public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        if (allowOtherPhases && request.Phase != AccessPhase.Resolved)
        {
            return ValueTask.FromResult(AccessDecision.Allow);
        }

        request.Phase.Should().Be(AccessPhase.Resolved, "the connector asks about resolved destinations only");
        var destination = request.Destination!;
        lock (_lock)
        {
            _checked.Add(destination);
        }

        var reply = decide(destination);
        return ValueTask.FromResult(reply == ReplyCode.Succeeded ? AccessDecision.Allow : AccessDecision.Deny(reply));
    }
}
