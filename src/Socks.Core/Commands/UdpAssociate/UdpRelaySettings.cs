using Microsoft.Extensions.Logging;
using Socks.Core.Connectors.Direct;
using Socks.Core.Metrics;

namespace Socks.Core.Commands.UdpAssociate;

/// <summary>What every association of one server shares: clock, timeouts, policy, resolver, counters, logger.</summary>
/// <param name="Time">The server's clock.</param>
/// <param name="IdleTimeout">An association without datagrams for this long ends; infinite for never.</param>
/// <param name="LookupTimeout">The longest a name lookup for a datagram may take (the connect timeout).</param>
/// <param name="Policy">Asked about every new destination, or null to allow all.</param>
/// <param name="Resolver">The server's bounded name lookups.</param>
/// <param name="Metrics">The server's counters.</param>
/// <param name="Logger">The session logger.</param>
internal sealed record UdpRelaySettings(
    TimeProvider Time,
    TimeSpan IdleTimeout,
    TimeSpan LookupTimeout,
    IAccessPolicy? Policy,
    BoundedResolver Resolver,
    SocksMetrics Metrics,
    ILogger Logger);
