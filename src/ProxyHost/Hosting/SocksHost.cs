using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using ProxyHost.CommandLine;
using Socks.Core;
using Socks.Core.Dissectors;
using Socks.Core.Server;
using Socks.Core.Users;

namespace ProxyHost.Hosting;

/// <summary>Composes the SOCKS engine into a generic host and runs it until a signal stops it.</summary>
internal static class SocksHost
{
    /// <summary>Binds, runs, drains on a signal.</summary>
    /// <param name="settings">The validated command line.</param>
    /// <param name="stderr">Where the one-line startup error goes.</param>
    /// <returns>The exit status.</returns>
    public static async Task<int> RunAsync(HostSettings settings, TextWriter stderr)
    {
        // No raw args: the command line was parsed already, and the host must not read it again.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "socks5d" });
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Services.AddSystemd();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<IHostLifetime, SignalLifetime>();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = settings.DrainTimeout + TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(_ => CreateUserStore(settings));
        // One switch for the POP3 dissector: -N sets its start state, MCP TOGGLE_DISECTOR flips it.
        builder.Services.AddSingleton(new DissectorSwitch(settings.DissectorEnabled));
        builder.Services.AddLogSinks(settings);
        builder.Services.AddSingleton(services => new SocksServer(
            new SocksServerOptions
            {
                Users = services.GetRequiredService<UserStore>(),
                AllowAnonymous = settings.AllowAnonymous,
                HandshakeTimeout = settings.HandshakeTimeout,
                ConnectTimeout = settings.ConnectTimeout,
                IdleTimeout = settings.IdleTimeout,
                MaxConnections = settings.MaxConnections,
                AccessLog = services.GetRequiredService<LogSinks>().AccessLog,
                TrafficObservers = services.GetRequiredService<LogSinks>().Pop3Dissector,
            },
            services.GetRequiredService<ILoggerFactory>(),
            services.GetService<IMeterFactory>()));
        builder.Services.AddHostedService<SocksServerService>();

        var host = builder.Build();
        try
        {
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ProxyHost.Hosting.SocksHost");
            if (!LogSinks.TryOpen(host.Services, out var logFailure))
            {
                await stderr.WriteLineAsync($"socks5d: {logFailure}").ConfigureAwait(false);
                return ExitCodes.CannotOpenLog;
            }

            var server = host.Services.GetRequiredService<SocksServer>();
            if (!TryListen(server, settings, logger, out var failure))
            {
                await stderr.WriteLineAsync($"socks5d: {failure}").ConfigureAwait(false);
                return ExitCodes.CannotListen;
            }

            Log.Listening(logger, ArgumentParser.Version, string.Join(", ", server.LocalEndPoints), server.MaxConnections);
            if (settings.Users.Count == 0)
            {
                if (settings.AllowAnonymous)
                {
                    Log.AnonymousAccess(logger);
                }
                else
                {
                    Log.NobodyCanAuthenticate(logger);
                }
            }

            await host.RunAsync().ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        finally
        {
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                host.Dispose();
            }
        }
    }

    private static UserStore CreateUserStore(HostSettings settings)
    {
        var store = UserStore.CreateInMemory(Math.Max(UserStore.DefaultMaxUsers, settings.Users.Count));
        foreach (var (username, password) in settings.Users)
        {
            // Command-line users are given again at every start: never persisted. Names were checked
            // for duplicates and the limit fits the count, so every add succeeds.
            var result = store.AddTemporary(username, password);
            if (result != UserChangeResult.Ok)
            {
                throw new InvalidOperationException($"Adding a user from the command line failed: {result}.");
            }
        }

        return store;
    }

    private static bool TryListen(SocksServer server, HostSettings settings, ILogger logger, out string failure)
    {
        failure = "";
        IPEndPoint endpoint;
        if (settings.ListenAddress is { } address)
        {
            endpoint = new IPEndPoint(address, settings.Port);
        }
        else if (Socket.OSSupportsIPv6)
        {
            // [::] is bound dual-mode: one socket for IPv4 and IPv6 clients.
            endpoint = new IPEndPoint(IPAddress.IPv6Any, settings.Port);
        }
        else
        {
            Log.IPv6Unavailable(logger);
            endpoint = new IPEndPoint(IPAddress.Any, settings.Port);
        }

        try
        {
            server.Start([endpoint]);
            return true;
        }
        catch (SocketException exception) when (settings.ListenAddress is null && endpoint.AddressFamily == AddressFamily.InterNetworkV6
            && exception.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable or SocketError.ProtocolNotSupported)
        {
            Log.IPv6Unavailable(logger);
            endpoint = new IPEndPoint(IPAddress.Any, settings.Port);
        }
        catch (SocketException exception)
        {
            failure = CannotListen(endpoint, exception);
            return false;
        }

        try
        {
            server.Start([endpoint]);
            return true;
        }
        catch (SocketException exception)
        {
            failure = CannotListen(endpoint, exception);
            return false;
        }
    }

    private static string CannotListen(IPEndPoint endpoint, SocketException exception)
    {
        var reason = exception.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => "address already in use",
            SocketError.AddressNotAvailable => "address not available on this host",
            SocketError.AccessDenied => "permission denied",
            SocketError.AddressFamilyNotSupported => "address family not supported",
            _ => exception.Message.ToLowerInvariant(),
        };
        return $"cannot listen on {endpoint}: {reason}";
    }
}
