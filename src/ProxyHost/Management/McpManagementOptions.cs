using System.Net.Sockets;

namespace ProxyHost.Management;

/// <summary>Limits of the MCP listener (see Management/README.md). Validated once, by <see cref="McpManagementServer"/>.</summary>
internal sealed record McpManagementOptions
{
    /// <summary>The default <see cref="IdleTimeout"/>: five minutes.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The default <see cref="MaxConnections"/>.</summary>
    public const int DefaultMaxConnections = 64;

    /// <summary>The default <see cref="FrameTimeout"/>: ten seconds.</summary>
    public static readonly TimeSpan DefaultFrameTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an admin connection may make no progress before it is closed: no byte received while the server
    /// waits for a request, and no response accepted by the client while the server waits to send one. Time spent
    /// in a backend command (ADD_USER hashing a password) does not count. Positive, or
    /// <see cref="Timeout.InfiniteTimeSpan"/> to keep idle connections forever.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    /// <summary>
    /// How long the rest of a request frame may take once its first byte has arrived: a connection that waits longer
    /// for the rest of a frame it has begun is closed. The clock runs only while the server waits for the client's
    /// bytes (not while it carries out earlier requests or sends their answers). Positive, or
    /// <see cref="Timeout.InfiniteTimeSpan"/> for no deadline (the idle timeout still applies).
    /// </summary>
    public TimeSpan FrameTimeout { get; init; } = DefaultFrameTimeout;

    /// <summary>
    /// How many admin connections are served at once (at least 1). A client beyond it replaces the connection idle
    /// the longest, or the newest connection when that one is stalled in the middle of a frame; when there is
    /// neither it is accepted and closed at once without a response (<see cref="McpManagementServer"/>, "Limits").
    /// </summary>
    public int MaxConnections { get; init; } = DefaultMaxConnections;

    /// <summary>
    /// Which clients are served (by uid); the others get one ERROR and are closed (docs/mcp-protocol.md §6). Default:
    /// root and the uid this process runs as.
    /// </summary>
    public McpClientPolicy Clients { get; init; } = McpClientPolicy.Default;

    /// <summary>
    /// Takes the next admin client from the listening socket; null uses <see cref="Socket.AcceptAsync(CancellationToken)"/>.
    /// A test seam: tests script accept failures (EMFILE) here to drive the back-off on a manual clock.
    /// </summary>
    internal Func<Socket, CancellationToken, ValueTask<Socket>>? Acceptor { get; init; }
}
