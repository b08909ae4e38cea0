using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Socks.Core.Dissectors;

namespace ProxyHost.Hosting;

/// <summary>Registers the access log, the credentials log and the POP3 dissector with the host.</summary>
internal static class LogSinksRegistration
{
    /// <summary>
    /// Adds <see cref="LogSinks"/> (opened when first resolved; <see cref="LogSinks.TryOpen"/> reports a
    /// bad path) and the <see cref="LogSinksService"/> that closes the logs after the server stopped.
    /// Needs a <see cref="DissectorSwitch"/> registered.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="settings">The command line.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddLogSinks(this IServiceCollection services, HostSettings settings)
    {
        services.AddSingleton(provider => LogSinks.Open(
            settings,
            provider.GetRequiredService<ILoggerFactory>(),
            provider.GetService<IMeterFactory>(),
            provider.GetRequiredService<DissectorSwitch>()));
        services.AddHostedService<LogSinksService>();
        return services;
    }
}
