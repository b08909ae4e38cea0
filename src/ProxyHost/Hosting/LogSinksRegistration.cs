using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ProxyHost.Hosting;

/// <summary>Registers the access log and the credentials log with the host.</summary>
internal static class LogSinksRegistration
{
    /// <summary>
    /// Adds the <see cref="ReloadCoordinator"/> that SIGHUP runs, <see cref="LogSinks"/> (opened when first resolved; <see cref="LogSinks.TryOpen"/> reports a
    /// bad path) and the <see cref="LogSinksService"/> that closes the logs after the server stopped.
    /// The service reports the dissector's state at start-up, so starting the host needs the
    /// <see cref="Socks.Core.Dissectors.DissectorFactory"/> and its
    /// <see cref="Socks.Core.Dissectors.DissectorSwitch"/> registered (<see cref="SocksHost"/> composes them).
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="settings">The command line.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddLogSinks(this IServiceCollection services, HostSettings settings)
    {
        services.AddSingleton(provider => new ReloadCoordinator(
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("ProxyHost.Hosting.LogSinks")));
        services.AddSingleton(provider => LogSinks.Open(
            settings,
            provider.GetRequiredService<ILoggerFactory>(),
            provider.GetService<IMeterFactory>(),
            provider.GetRequiredService<ReloadCoordinator>()));
        services.AddHostedService<LogSinksService>();
        return services;
    }
}
