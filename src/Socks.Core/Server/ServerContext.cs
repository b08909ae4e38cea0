using Microsoft.Extensions.Logging;
using Socks.Core.Commands;
using Socks.Core.Commands.Bind;
using Socks.Core.Commands.Connect;
using Socks.Core.Commands.Resolve;
using Socks.Core.Commands.UdpAssociate;
using Socks.Core.Connectors.Direct;
using Socks.Core.Metrics;
using Socks.Core.Relay;

namespace Socks.Core.Server;

/// <summary>What every session of one server shares: configuration, counters, loggers and the seams.</summary>
internal sealed class ServerContext
{
    /// <summary>Composes the seams from the options: the given ones, or the defaults.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="maxConnections">The effective connection limit.</param>
    /// <param name="budget">The descriptor budget sessions are admitted against.</param>
    /// <param name="metrics">The server's counters.</param>
    /// <param name="logger">The server and session logger.</param>
    /// <param name="relayLogger">The relay logger.</param>
    public ServerContext(SocksServerOptions options, int maxConnections, DescriptorBudget budget, SocksMetrics metrics, ILogger logger, ILogger relayLogger)
    {
        Options = options;
        MaxConnections = maxConnections;
        Budget = budget;
        Metrics = metrics;
        Logger = logger;
        RelayLogger = relayLogger;
        AccessPolicy = options.AccessPolicy;
        Limits = options.Users as Limits.IUserLimits;
        Leases = options.Users as Limits.ISessionLeases;

        // One resolver, so CONNECT, BIND and RESOLVE share the lookup slots.
        Resolver = new HostResolver(options.TimeProvider, options.ConnectTimeout, options.Resolver, options.ReverseResolver, options.MaxConcurrentLookups, logger);
        Connector = options.Connector ?? new DirectConnector(Resolver, options.TimeProvider, options.ConnectTimeout, options.AccessPolicy, outbound: options.OutboundAddresses);
        Relay = options.Relay ?? (SpliceRelay.IsChosen(options) ? new SpliceRelay(options.RelayBufferSize) : new UserSpaceRelay(options.RelayBufferSize));
        List<ICommandHandler> commands = [new ConnectCommand(Connector), new ResolveCommand(Resolver), new ResolvePtrCommand(Resolver)];
        if (options.AllowBind)
        {
            commands.Add(new BindCommand(Resolver, options.AccessPolicy, options.BindTimeout, logger, options.OutboundAddresses));
        }

        if (options.UdpAssociate)
        {
            commands.Add(new UdpAssociateCommand(new UdpRelaySettings(
                options.TimeProvider,
                options.UdpIdleTimeout,
                options.ConnectTimeout,
                options.AccessPolicy,
                Resolver.Bounded,
                metrics,
                logger)));
        }

        Commands = new CommandTable(commands);
    }

    /// <summary>The validated options.</summary>
    public SocksServerOptions Options { get; }

    /// <summary>The effective connection limit.</summary>
    public int MaxConnections { get; }

    /// <summary>The descriptor budget sessions are admitted against and commands charge extra descriptors to.</summary>
    public DescriptorBudget Budget { get; }

    /// <summary>The server's counters.</summary>
    public SocksMetrics Metrics { get; }

    /// <summary>The server and session logger.</summary>
    public ILogger Logger { get; }

    /// <summary>The relay logger.</summary>
    public ILogger RelayLogger { get; }

    /// <summary>Asked at every phase of every session, or null to allow everything (then no phase costs anything).</summary>
    public IAccessPolicy? AccessPolicy { get; }

    /// <summary>Where the users' limits come from (the user store, when it has limits), or null.</summary>
    public Limits.IUserLimits? Limits { get; }

    /// <summary>Holds session limits across a fleet (the user store, when it does), or null for this server's count only.</summary>
    public Limits.ISessionLeases? Leases { get; }

    /// <summary>The server's name lookups (bounded), for the direct connector, BIND and RESOLVE.</summary>
    public HostResolver Resolver { get; }

    /// <summary>Resolves and dials the destinations of CONNECT requests.</summary>
    public IConnector Connector { get; }

    /// <summary>Relays every session once it is connected.</summary>
    public IRelay Relay { get; }

    /// <summary>The command dispatch: one handler per supported command.</summary>
    public CommandTable Commands { get; }
}
