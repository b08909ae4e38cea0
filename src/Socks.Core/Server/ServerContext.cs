using Microsoft.Extensions.Logging;
using Socks.Core.Dialing;
using Socks.Core.Metrics;
using Socks.Core.Relay;

namespace Socks.Core.Server;

/// <summary>What every session of one server shares: configuration, counters and loggers.</summary>
/// <param name="Options">The validated options.</param>
/// <param name="MaxConnections">The effective connection limit.</param>
/// <param name="Metrics">The server's counters.</param>
/// <param name="Logger">The server and session logger.</param>
/// <param name="RelayLogger">The relay logger.</param>
/// <param name="Dialer">Resolves and connects requests (Happy Eyeballs, destination policy, connect timeout).</param>
internal sealed record ServerContext(
    SocksServerOptions Options,
    int MaxConnections,
    SocksMetrics Metrics,
    ILogger Logger,
    ILogger RelayLogger,
    Dialer Dialer)
{
    /// <summary>Relays every session once it is connected.</summary>
    public IRelay Relay { get; } = Options.Relay ?? new UserSpaceRelay(Options.RelayBufferSize);
}
