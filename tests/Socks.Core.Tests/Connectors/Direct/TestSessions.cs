using System.Net;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Connectors.Direct;

/// <summary>Session contexts for tests of the seams.</summary>
internal static class TestSessions
{
    /// <summary>A session from 127.0.0.1 whose request is <paramref name="request"/>.</summary>
    public static SessionContext With(SocksRequest? request, TimeProvider? timeProvider = null) =>
        new(1, new IPEndPoint(IPAddress.Loopback, 40000), new IPEndPoint(IPAddress.Loopback, 1080), timeProvider ?? TimeProvider.System, CancellationToken.None)
        {
            Request = request,
        };
}
