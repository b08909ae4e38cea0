using System.Net;
using Socks.Core.Policy;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Dialing;

/// <summary>A destination policy driven by a function, remembering every endpoint it was asked about.</summary>
internal sealed class RecordingPolicy(Func<IPEndPoint, ReplyCode> decide) : IDestinationPolicy
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

    public ReplyCode Check(IPEndPoint destination)
    {
        lock (_lock)
        {
            _checked.Add(destination);
        }

        return decide(destination);
    }
}
