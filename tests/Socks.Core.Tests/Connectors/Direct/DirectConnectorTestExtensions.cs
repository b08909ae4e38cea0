using Socks.Core.Connectors.Direct;
using Socks.Core.Protocol;

namespace Socks.Core.Tests.Connectors.Direct;

/// <summary>Dials a bare request, as the connector's own tests do, through a session that holds only that request.</summary>
internal static class DirectConnectorTestExtensions
{
    /// <summary>Dials <paramref name="request"/> for a session from 127.0.0.1 that has just read it.</summary>
    public static Task<ConnectResult> DialAsync(this DirectConnector connector, SocksRequest request, CancellationToken cancellationToken) =>
        connector.DialAsync(TestSessions.With(request), request, cancellationToken);
}
