namespace Socks.Core.Hosting;

/// <summary>
/// The settings of a SOCKS server run by a Generic Host (<see cref="SocksServiceCollectionExtensions.AddSocksServer(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration, Action{SocksHostOptions}?)"/>):
/// what configuration can say. The seams (user store, access policy, access log, connector...) are services instead.
/// </summary>
/// <remarks>
/// From configuration, e.g. appsettings.json: <c>"Socks": { "Endpoints": [ "127.0.0.1:1080" ], "IdleTimeout": "00:05:00" }</c>.
/// Read once, when the server is created.
/// </remarks>
public sealed class SocksHostOptions
{
    /// <summary>The default <see cref="DrainTimeout"/>: 30 s, as socks5d's.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where to listen: IP endpoints such as <c>127.0.0.1:1080</c> or <c>[::]:0</c> (port 0: the OS picks one; the
    /// bound endpoints are <see cref="SocksServer.LocalEndPoints"/>). Empty (the default): <c>[::]:1080</c>, every
    /// interface, IPv4 and IPv6.
    /// </summary>
    public IList<string> Endpoints { get; } = [];

    /// <summary>See <see cref="SocksServerOptions.AllowAnonymous"/>.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>See <see cref="SocksServerOptions.HandshakeTimeout"/>.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = SocksServerOptions.DefaultHandshakeTimeout;

    /// <summary>See <see cref="SocksServerOptions.ConnectTimeout"/>.</summary>
    public TimeSpan ConnectTimeout { get; set; } = SocksServerOptions.DefaultConnectTimeout;

    /// <summary>See <see cref="SocksServerOptions.IdleTimeout"/>.</summary>
    public TimeSpan IdleTimeout { get; set; } = SocksServerOptions.DefaultIdleTimeout;

    /// <summary>See <see cref="SocksServerOptions.MaxConnections"/> (0: derived from the descriptor limit).</summary>
    public int MaxConnections { get; set; }

    /// <summary>
    /// How long open sessions may go on when the host stops (<see cref="SocksServer.StopAsync"/>); the host's own
    /// shutdown timeout (<c>HostOptions.ShutdownTimeout</c>, 30 s by default) cuts it short. Default
    /// <see cref="DefaultDrainTimeout"/>.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = DefaultDrainTimeout;
}
