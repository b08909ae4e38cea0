using System.Net;
using System.Net.Sockets;
using Socks.Core.AccessLog;
using Socks.Core.Dissectors;
using Socks.Core.Relay;

namespace Socks.Core;

/// <summary>
/// Configuration of a <see cref="SocksServer"/>. Set it with object initializers; the server
/// validates it once, when it is created, and never reads a changed value afterwards.
/// </summary>
public sealed class SocksServerOptions
{
    /// <summary>The default <see cref="HandshakeTimeout"/>: 10 s.</summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default <see cref="ConnectTimeout"/>: 10 s.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default <see cref="IdleTimeout"/>: 15 min.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(15);

    /// <summary>The default <see cref="BindTimeout"/>: 2 min.</summary>
    public static readonly TimeSpan DefaultBindTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The default <see cref="UdpIdleTimeout"/>: 2 min.</summary>
    public static readonly TimeSpan DefaultUdpIdleTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The default <see cref="MaxConcurrentLookups"/>: 16.</summary>
    public const int DefaultMaxConcurrentLookups = 16;

    /// <summary>The largest accepted <see cref="MaxConcurrentLookups"/>.</summary>
    public const int MaxMaxConcurrentLookups = 1024;

    /// <summary>The default of <see cref="KernelRelay"/>: on, on Linux (docs/benchmarks.md, "Kernel relay").</summary>
    public static bool DefaultKernelRelay => OperatingSystem.IsLinux();

    /// <summary>The smallest accepted <see cref="RelayBufferSize"/>.</summary>
    public const int MinRelayBufferSize = 512;

    /// <summary>The largest accepted <see cref="RelayBufferSize"/>.</summary>
    public const int MaxRelayBufferSize = 1024 * 1024;

    /// <summary>
    /// The users clients authenticate as (RFC 1929), or null (the default) for none. When it holds any user, every
    /// client must use method X'02'; when it is null or empty, see <see cref="AllowAnonymous"/>. Changes in the store
    /// take effect for the next handshake.
    /// </summary>
    /// <remarks>
    /// Authentication only: for the server to end the sessions of users removed from the store, give
    /// its directory as <see cref="UserDirectory"/> too (for a <see cref="Users.UserStore"/>, the same object).
    /// </remarks>
    public IUserStore? Users { get; init; }

    /// <summary>
    /// The administration side of <see cref="Users"/>, or null. When set, the server subscribes to its
    /// <see cref="IUserDirectory.UserRemoved"/> from creation until it is disposed and closes the removed
    /// user's open sessions (<see cref="SocksServer.CloseSessionsOfUser"/>). The server never
    /// changes the directory.
    /// </summary>
    public IUserDirectory? UserDirectory { get; init; }

    /// <summary>
    /// Accept method X'00' (no authentication) while <see cref="Users"/> is null or empty. When false and there is
    /// no user, every client gets METHOD X'FF'. Ignored while the store holds users.
    /// </summary>
    public bool AllowAnonymous { get; init; }

    /// <summary>
    /// The longest a client may take from connecting to having sent a complete request (greeting,
    /// authentication and request). A client that does not finish in time is disconnected without a
    /// reply. Default <see cref="DefaultHandshakeTimeout"/>.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = DefaultHandshakeTimeout;

    /// <summary>
    /// The longest a dial to the destination may take, name resolution and all addresses together, measured from the
    /// start of the dial; REP X'06' when exceeded. Default <see cref="DefaultConnectTimeout"/>.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>
    /// A relayed session with no data in either direction for this long is closed. Default
    /// <see cref="DefaultIdleTimeout"/>; <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    /// <summary>
    /// Serve BIND (RFC 1928 §4, §6): listen on the outbound interface, announce the address (first reply), accept
    /// one peer within <see cref="BindTimeout"/>, announce it (second reply) and relay. Default true; false answers
    /// every BIND with REP X'07' (command not supported).
    /// </summary>
    public bool AllowBind { get; init; } = true;

    /// <summary>
    /// The longest a BIND waits for its peer after the first reply; REP X'06' when it passes. Default
    /// <see cref="DefaultBindTimeout"/>.
    /// </summary>
    public TimeSpan BindTimeout { get; init; } = DefaultBindTimeout;

    /// <summary>
    /// Serve UDP ASSOCIATE (RFC 1928 §7): true (the default) relays datagrams for the client while its TCP connection
    /// lasts; false answers the command REP X'07' (command not supported), like any command not served.
    /// </summary>
    public bool UdpAssociate { get; init; } = true;

    /// <summary>
    /// A UDP association that relays no datagram either way for this long is closed (with its TCP connection).
    /// Default <see cref="DefaultUdpIdleTimeout"/>; <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan UdpIdleTimeout { get; init; } = DefaultUdpIdleTimeout;

    /// <summary>
    /// The most client connections open at once. 0 (the default) takes what the
    /// <see cref="DescriptorBudget"/> leaves for sessions (two descriptors each); a value above that is lowered to it,
    /// with a warning. A BIND charges a third descriptor while it waits for its peer, and a UDP association takes two
    /// places (its TCP connection and two UDP sockets). A client connecting while the server is full is accepted and
    /// closed at once.
    /// </summary>
    public int MaxConnections { get; init; }

    /// <summary>
    /// The descriptor budget of the process, shared with whatever else it opens (log files, an admin listener), or
    /// null for one the server derives from this process's descriptor limit when it is created
    /// (<see cref="DescriptorBudget.ForCurrentProcess"/>). Give one when the process opens descriptors of its own
    /// beyond a few: reserve their parts in it first, then create the server, which adds its listener and
    /// admits sessions against what is left. Each server adds a part named "SOCKS listener", so one budget serves
    /// one server.
    /// </summary>
    public DescriptorBudget? DescriptorBudget { get; init; }

    /// <summary>Receives one record per session when it ends, or null for no access log.</summary>
    public IAccessLogSink? AccessLog { get; init; }

    /// <summary>Chooses per session whether to watch its relayed bytes, or null to watch none.</summary>
    public ITrafficObserverFactory? TrafficObservers { get; init; }

    /// <summary>
    /// Decides at each <see cref="AccessPhase"/> of every session (accepted, authenticated, requested, and for each
    /// resolved destination before it is dialed) whether it may go on; null allows everything and costs nothing.
    /// Several policies combine with <see cref="Access.CompositeAccessPolicy"/>.
    /// </summary>
    public IAccessPolicy? AccessPolicy { get; init; }

    /// <summary>
    /// Decides per client whether method X'00' (no authentication) is chosen, or null (the default) for
    /// <see cref="AllowAnonymous"/>. When set, it replaces <see cref="AllowAnonymous"/>: a client that offers X'02' while
    /// <see cref="Users"/> holds users authenticates; otherwise X'00' is chosen when the client offers it and
    /// <see cref="IAnonymousAccessPolicy.MayAllowAnonymous"/> says yes for its address; otherwise METHOD X'FF'.
    /// <see cref="Access.Rules.AccessRulesPolicy"/> is one (docs/rules.md, "The method").
    /// </summary>
    public IAnonymousAccessPolicy? AnonymousAccess { get; init; }

    /// <summary>
    /// Resolves and dials the destination of every CONNECT; null (the default) for the direct connector: Happy
    /// Eyeballs (RFC 8305) over every resolved address within <see cref="ConnectTimeout"/>, asking
    /// <see cref="AccessPolicy"/> about each address. A custom connector does its own
    /// <see cref="AccessPhase.Resolved"/> checks.
    /// </summary>
    public IConnector? Connector { get; init; }

    /// <summary>
    /// The most name lookups of the direct connector running at once (1..<see cref="MaxMaxConcurrentLookups"/>);
    /// default <see cref="DefaultMaxConcurrentLookups"/>. Lookups run the blocking system resolver (getaddrinfo) on
    /// threads of their own, one per running lookup, never on the thread pool; up to four times as many lookups more
    /// wait for a slot within their <see cref="ConnectTimeout"/>. When every slot and queue place is taken (a DNS
    /// server that never answers holds a slot until glibc gives up), a CONNECT by name gets REP X'01' at once and a
    /// warning is logged at most every 30 s. CONNECTs to an IP address (or a name that is an address literal) never
    /// use the resolver. BIND (for a name it is given) and RESOLVE / RESOLVE_PTR use the same slots, also with a
    /// custom <see cref="Connector"/> (which then does its own lookups for CONNECT).
    /// </summary>
    /// <remarks>
    /// 16: a lookup is a wait, not work, so the number of cores does not matter; 16 stalled lookups cost 16 mostly idle
    /// threads, while a resolver that answers serves thousands of lookups a second through 16 slots.
    /// </remarks>
    public int MaxConcurrentLookups { get; init; } = DefaultMaxConcurrentLookups;

    /// <summary>The clock for every timeout. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The size of the pooled buffer a relay direction rents while data flows
    /// (<see cref="MinRelayBufferSize"/>..<see cref="MaxRelayBufferSize"/>). Default 64 KiB: on
    /// loopback it relayed a single stream about 1.45 times as fast as 16 KiB for about two thirds of
    /// the CPU per byte, with the same connection rate (docs/benchmarks.md, "Relay buffer size"). An
    /// idle session holds no buffer; a busy one holds at most one per direction.
    /// </summary>
    public int RelayBufferSize { get; init; } = 64 * 1024;

    /// <summary>
    /// Whether sessions that nothing watches (no traffic observer) are relayed inside the kernel with
    /// <c>splice(2)</c> on Linux, the bytes never copied into the process; watched sessions, and every session on
    /// other systems, go through the user-space relay. Default <see cref="DefaultKernelRelay"/>.
    /// </summary>
    public bool KernelRelay { get; init; } = DefaultKernelRelay;

    /// <summary>
    /// The relay every session uses once connected; null (the default) for the user-space relay with
    /// <see cref="RelayBufferSize"/>. Internal while the user-space relay is the only one.
    /// </summary>
    internal IRelay? Relay { get; init; }

    /// <summary>The listen backlog of each listening socket. Default 512.</summary>
    public int ListenBacklog { get; init; } = 512;

    /// <summary>Name resolution for domain-name requests; null uses DNS. Tests supply their own.</summary>
    internal Func<string, CancellationToken, Task<IPAddress[]>>? Resolver { get; init; }

    /// <summary>Reverse (PTR) lookups for RESOLVE_PTR; null uses the system resolver. Tests supply their own.</summary>
    internal Func<IPAddress, CancellationToken, Task<string>>? ReverseResolver { get; init; }

    /// <summary>
    /// Takes the next client from a listening socket; null uses <see cref="Socket.AcceptAsync(CancellationToken)"/>.
    /// Tests supply their own to fail the way the OS does (EMFILE) and then delegate to the real accept.
    /// </summary>
    internal Func<Socket, CancellationToken, ValueTask<Socket>>? Acceptor { get; init; }

    /// <summary>Checks every value; called once by the server.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
    internal void Validate()
    {
        if (TimeProvider is null)
        {
            throw new ArgumentException("A time provider is required.", nameof(TimeProvider));
        }

        ThrowIfNotPositive(HandshakeTimeout, nameof(HandshakeTimeout));
        ThrowIfNotPositive(ConnectTimeout, nameof(ConnectTimeout));
        ThrowIfNotPositive(BindTimeout, nameof(BindTimeout));
        if (IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            ThrowIfNotPositive(IdleTimeout, nameof(IdleTimeout));
        }

        if (UdpIdleTimeout != Timeout.InfiniteTimeSpan)
        {
            ThrowIfNotPositive(UdpIdleTimeout, nameof(UdpIdleTimeout));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxConnections, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(RelayBufferSize, MinRelayBufferSize, nameof(RelayBufferSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(RelayBufferSize, MaxRelayBufferSize, nameof(RelayBufferSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(ListenBacklog, 1, nameof(ListenBacklog));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentLookups, 1, nameof(MaxConcurrentLookups));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxConcurrentLookups, MaxMaxConcurrentLookups, nameof(MaxConcurrentLookups));
    }

    private static void ThrowIfNotPositive(TimeSpan value, string name)
    {
        // Timers take at most uint.MaxValue - 1 ms (about 49 days).
        if (value <= TimeSpan.Zero || value.TotalMilliseconds >= uint.MaxValue - 1)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be positive and shorter than 49 days.");
        }
    }
}
