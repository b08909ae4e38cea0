using System.Net.Sockets;

namespace ProxyHost.Management;

/// <summary>Limits of the MCP listener (see Management/README.md). Validated once, by <see cref="McpManagementServer"/>.</summary>
internal sealed record McpManagementOptions
{
    /// <summary>The default <see cref="IdleTimeout"/>: five minutes.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The default <see cref="MaxConnections"/>.</summary>
    public const int DefaultMaxConnections = 64;

    /// <summary>
    /// How long an admin connection may make no progress before it is closed: no byte received while the server
    /// waits for a request, and no response accepted by the client while the server waits to send one. Time spent
    /// in a backend command (ADD_USER hashing a password) does not count. Positive, or
    /// <see cref="Timeout.InfiniteTimeSpan"/> to keep idle connections forever.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    /// <summary>
    /// How many admin connections are served at once (at least 1). A connection beyond it is accepted and closed
    /// at once without a response.
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
