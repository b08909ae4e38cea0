using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Socks.Core.AccessLog;
using Socks.Core.Dissectors;

namespace Socks.Core.Hosting;

/// <summary>Runs a <see cref="SocksServer"/> in a Generic Host (or ASP.NET Core) app.</summary>
public static class SocksServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="SocksServer"/> (a singleton, to inject for <see cref="SocksServer.GetMetrics"/> or
    /// <see cref="SocksServer.LocalEndPoints"/>) and a hosted service that starts it on
    /// <see cref="SocksHostOptions.Endpoints"/> when the host starts and drains it for
    /// <see cref="SocksHostOptions.DrainTimeout"/> when the host stops, with the options from
    /// <paramref name="configuration"/> (e.g. <c>builder.Configuration.GetSection("Socks")</c>), then
    /// <paramref name="configure"/>.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configuration">The section with the <see cref="SocksHostOptions"/>.</param>
    /// <param name="configure">Changes the options after configuration, or null.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <remarks>
    /// The seams are taken from the services when registered: <see cref="IUserStore"/> (none: no users, see
    /// <see cref="SocksHostOptions.AllowAnonymous"/>), <see cref="IUserDirectory"/> (when not registered, the user
    /// store if it is one, so that removing a user closes its sessions), <see cref="IAccessPolicy"/>,
    /// <see cref="IAccessLogSink"/>, <see cref="IConnector"/>, <see cref="ITrafficObserverFactory"/>,
    /// <see cref="TimeProvider"/>, <see cref="ILoggerFactory"/> and <see cref="IMeterFactory"/>.
    /// </remarks>
    public static IServiceCollection AddSocksServer(this IServiceCollection services, IConfiguration configuration, Action<SocksHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<SocksHostOptions>().Bind(configuration);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services);
    }

    /// <summary>
    /// Adds a <see cref="SocksServer"/> and the hosted service that runs it, like
    /// <see cref="AddSocksServer(IServiceCollection, IConfiguration, Action{SocksHostOptions}?)"/>, with options set
    /// in code only.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Sets the options, or null for the defaults.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddSocksServer(this IServiceCollection services, Action<SocksHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SocksHostOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.TryAddSingleton(CreateServer);
        services.AddHostedService<SocksServerHostedService>();
        return services;
    }

    private static SocksServer CreateServer(IServiceProvider services)
    {
        var host = services.GetRequiredService<IOptions<SocksHostOptions>>().Value;
        var users = services.GetService<IUserStore>();
        return new SocksServer(
            new SocksServerOptions
            {
                Users = users,
                UserDirectory = services.GetService<IUserDirectory>() ?? users as IUserDirectory,
                AllowAnonymous = host.AllowAnonymous,
                HandshakeTimeout = host.HandshakeTimeout,
                ConnectTimeout = host.ConnectTimeout,
                IdleTimeout = host.IdleTimeout,
                MaxConnections = host.MaxConnections,
                AccessPolicy = services.GetService<IAccessPolicy>(),
                AccessLog = services.GetService<IAccessLogSink>(),
                Connector = services.GetService<IConnector>(),
                TrafficObservers = services.GetService<ITrafficObserverFactory>(),
                TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
            },
            services.GetService<ILoggerFactory>(),
            services.GetService<IMeterFactory>());
    }

    /// <summary>Parses <see cref="SocksHostOptions.Endpoints"/>.</summary>
    /// <exception cref="InvalidOperationException">An endpoint is not an IP endpoint with a port.</exception>
    internal static IReadOnlyList<IPEndPoint> ParseEndpoints(IEnumerable<string> endpoints)
    {
        var parsed = new List<IPEndPoint>();
        foreach (var text in endpoints)
        {
            // IPEndPoint.TryParse takes "10.0.0.1" as port 0: a port is required here.
            if (!IPEndPoint.TryParse(text, out var endpoint) || !HasPort(text))
            {
                throw new InvalidOperationException(
                    $"SOCKS endpoint '{text}' is not an IP endpoint with a port, like 127.0.0.1:1080 or [::]:1080.");
            }

            parsed.Add(endpoint);
        }

        return parsed.Count > 0 ? parsed : [new IPEndPoint(IPAddress.IPv6Any, 1080)];
    }

    private static bool HasPort(string text)
    {
        // "[v6]:port" has its last colon after the bracket; "v4:port" has exactly one colon.
        var close = text.LastIndexOf(']');
        var colon = text.LastIndexOf(':');
        return text.StartsWith('[') ? close > 0 && colon > close : colon >= 0 && colon == text.IndexOf(':');
    }
}
