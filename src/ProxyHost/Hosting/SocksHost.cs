using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using ProxyHost.CommandLine;
using ProxyHost.Management;
using ProxyHost.Metrics;
using Socks.Core;
using Socks.Core.Access;
using Socks.Core.Access.Rules;
using Socks.Core.Dissectors;
using Socks.Core.Users;
using Socks.Users.Redis;

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
        // The rules file first: a bad one stops everything before anything is opened (docs/rules.md, "Errors").
        AccessRulesPolicy? rules = null;
        if (settings.RulesFile is { } rulesPath)
        {
            try
            {
                rules = new AccessRulesPolicy(AccessRuleSet.Load(rulesPath));
            }
            catch (AccessRulesException exception)
            {
                await stderr.WriteLineAsync($"socks5d: {exception.Message}").ConfigureAwait(false);
                return ExitCodes.Config;
            }
        }

        // No raw args: the command line was parsed already, and the host must not read it again.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "socks5d" });
        if (settings.JsonLog)
        {
            // One object per line (Timestamp, EventId, LogLevel, Category, Message, State), for log shippers.
            builder.Logging.AddJsonConsole(options =>
            {
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                options.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        // --log-level, changeable by the SIGHUP configuration reload (it is the logger filter's options source).
        var logLevel = new LogLevelSwitch(settings.LogLevel);
        builder.Services.AddSingleton(logLevel);
        builder.Services.AddSingleton<IConfigureOptions<LoggerFilterOptions>>(logLevel);
        builder.Services.AddSingleton<IOptionsChangeTokenSource<LoggerFilterOptions>>(logLevel);
        builder.Services.AddSystemd();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<IHostLifetime, SignalLifetime>();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = settings.DrainTimeout + TimeSpan.FromSeconds(10));
        // The engine authenticates against IUserStore and MCP administers IUserDirectory: one UserStore is both. It is
        // loaded below, once logging exists (a save that is not confirmed durable is logged), before anything uses it.
        UserStore? users = null;
        // With --redis the users live in Redis: the store follows it and keeps `users` as the snapshot handshakes check.
        RedisUserStore? fleet = null;
        builder.Services.AddSingleton<IUserStore>(_ => (IUserStore?)fleet ?? users ?? throw new InvalidOperationException("The users are not loaded yet."));
        builder.Services.AddSingleton<IUserDirectory>(_ => (IUserDirectory?)fleet ?? users ?? throw new InvalidOperationException("The users are not loaded yet."));
        // One switch for the whole dissector family: -N sets its start state, MCP TOGGLE_DISECTOR flips it.
        builder.Services.AddSingleton(new DissectorSwitch(settings.DissectorEnabled));
        // Self-protection: no CONNECT to the proxy's own listeners, read at every dial (they are bound later).
        var selfEndpoints = new SelfEndpoints();
        // --allow-all-destinations, changeable by the SIGHUP configuration reload.
        var specialDestinations = new SpecialDestinationsSwitch(settings.AllowAllDestinations);
        // One descriptor budget for everything the process opens: created (counting what is open) before the logs are
        // opened, with socks5d's own parts set aside before the SOCKS server takes what is left for sessions.
        builder.Services.AddSingleton(_ => new HostDescriptorBudget(DescriptorBudget.ForCurrentProcess(), McpManagementOptions.DefaultMaxConnections, settings.ListenAddresses.Count));
        builder.Services.AddLogSinks(settings);
        // Before the SOCKS server's service: stopped after the drain, so the last OTLP push has the final counts.
        builder.Services.AddSingleton<MetricsExport>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MetricsExport>());
        // The dissectors: they watch the relayed bytes and hand what they find to the credentials log.
        builder.Services.AddSingleton(services => CreateDissectors(
            services.GetRequiredService<LogSinks>().CredentialsLog,
            services.GetRequiredService<DissectorSwitch>(),
            settings,
            services.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton(services => new SocksServer(
            new SocksServerOptions
            {
                Users = services.GetRequiredService<IUserStore>(),
                UserDirectory = services.GetRequiredService<IUserDirectory>(),
                AllowAnonymous = settings.AllowAnonymous,
                HandshakeTimeout = settings.HandshakeTimeout,
                ConnectTimeout = settings.ConnectTimeout,
                IdleTimeout = settings.IdleTimeout,
                AllowBind = settings.AllowBind,
                BindTimeout = settings.BindTimeout,
                UdpAssociate = settings.UdpAssociate,
                UdpIdleTimeout = settings.UdpIdleTimeout,
                KernelRelay = settings.KernelRelay,
                MaxConnections = settings.MaxConnections,
                AccessPolicy = CreateAccessPolicy(selfEndpoints, specialDestinations, rules),
                AnonymousAccess = rules,
                OutboundAddresses = settings.OutboundAddresses,
                AccessLog = services.GetRequiredService<LogSinks>().AccessLog,
                TrafficObservers = services.GetRequiredService<DissectorFactory>(),
                DescriptorBudget = services.GetRequiredService<HostDescriptorBudget>().Budget,
            },
            services.GetRequiredService<ILoggerFactory>(),
            services.GetService<IMeterFactory>()));
        builder.Services.AddHostedService<SocksServerService>();
        builder.Services.AddSingleton<StatisticsSignalService>();
        builder.Services.AddSingleton<IManagementBackend, ManagementBackend>();
        builder.Services.AddSingleton(services => new McpManagementServer(
            services.GetRequiredService<IManagementBackend>(),
            new McpManagementOptions
            {
                Clients = CreateClientPolicy(settings),
                MaxConnections = services.GetRequiredService<HostDescriptorBudget>().ManagementConnections,
            },
            services.GetRequiredService<ILogger<McpManagementServer>>()));

        // After SocksServerService: hosted services stop in reverse order, so MCP closes before the SOCKS drain.
        builder.Services.AddHostedService<ManagementService>();

        var host = builder.Build();
        try
        {
            var loggerFactory = host.Services.GetRequiredService<ILoggerFactory>();
            var logger = loggerFactory.CreateLogger("ProxyHost.Hosting.SocksHost");

            // Users first: a users file that cannot be loaded stops everything before anything listens (all or nothing).
            if (!TryCreateUserStore(settings, loggerFactory.CreateLogger<UserStore>(), out users, out var usersProblem))
            {
                await stderr.WriteLineAsync($"socks5d: {usersProblem}").ConfigureAwait(false);
                return ExitCodes.Config;
            }

            if (settings.Redis is not null)
            {
                (fleet, var redisProblem) = await TryConnectRedisAsync(settings, users, loggerFactory, host.Services.GetService<IMeterFactory>()).ConfigureAwait(false);
                if (fleet is null)
                {
                    await stderr.WriteLineAsync($"socks5d: {redisProblem}").ConfigureAwait(false);
                    return ExitCodes.Config;
                }
            }

            var descriptors = host.Services.GetRequiredService<HostDescriptorBudget>();
            if (!LogSinks.TryOpen(host.Services, out var logFailure))
            {
                await stderr.WriteLineAsync($"socks5d: {logFailure}").ConfigureAwait(false);
                return ExitCodes.CannotOpenLog;
            }

            var server = host.Services.GetRequiredService<SocksServer>();
            // Fleet statistics: the node adds its per-user counts to Redis on a timer (docs/fleet.md), never in a handshake.
            fleet?.PublishStatistics(server.GetUserStatistics);
            var management = host.Services.GetRequiredService<McpManagementServer>();

            // SIGUSR1/SIGUSR2 are handled before anything listens, so a client of the running proxy can never
            // send one that the runtime's default action (terminate) would still get.
            host.Services.GetRequiredService<StatisticsSignalService>().Register();
            selfEndpoints.Attach(server, management);
            if (users.FilePath is not null)
            {
                // The server is subscribed to removals now: a SIGHUP that drops users from the file ends their sessions.
                var reloadedUsers = users;
                host.Services.GetRequiredService<ReloadCoordinator>().Add(UsersReloadStep.Name, () => UsersReloadStep.Run(reloadedUsers));
            }

            if (rules is not null)
            {
                var reloadedRules = rules;
                host.Services.GetRequiredService<ReloadCoordinator>().Add(RulesReloadStep.Name, () => RulesReloadStep.Run(reloadedRules));
            }

            if (ConfigurationReloadStep.ConfigFileOf(settings) is { } configFile)
            {
                var configuration = new ConfigurationReloadStep(settings, configFile, Environment.GetEnvironmentVariables, logLevel,
                    specialDestinations, host.Services.GetRequiredService<DissectorSwitch>());
                host.Services.GetRequiredService<ReloadCoordinator>().Add(ConfigurationReloadStep.Name, configuration.Run);
            }

            if (!TryListen(server, settings, logger, out var failure))
            {
                await stderr.WriteLineAsync($"socks5d: {failure}").ConfigureAwait(false);
                return ExitCodes.CannotListen;
            }

            if (!TryListenManagement(management, settings, out failure))
            {
                // Nothing may be left listening: close the SOCKS listener (aborting any client that slipped in
                // meanwhile) before the one line goes out.
                await server.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
                await stderr.WriteLineAsync($"socks5d: {failure}").ConfigureAwait(false);
                return ExitCodes.CannotListen;
            }

            if (!host.Services.GetRequiredService<MetricsExport>().TryStart(out failure))
            {
                await management.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await server.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
                await stderr.WriteLineAsync($"socks5d: {failure}").ConfigureAwait(false);
                return ExitCodes.CannotListen;
            }

            if (settings.ManagementEndPoint is IPEndPoint { Address: var managementAddress } && !IPAddress.IsLoopback(managementAddress))
            {
                if (settings.ManagementAllowsAnyClient)
                {
                    Log.ManagementOpenToAnyClient(logger, managementAddress.ToString());
                }
                else
                {
                    Log.ManagementNotLoopback(logger, managementAddress.ToString());
                }
            }

            TightenUsersFileMode(users, logger);
            if (users.FilePath is { } usersPath)
            {
                Log.UsersLoaded(logger, users.Count - settings.Users.Count, usersPath, settings.Users.Count, users.MaxUsers);
            }

            descriptors.WarnIfLowered(logger);
            Log.Listening(logger, ArgumentParser.Version, string.Join(", ", server.LocalEndPoints), server.MaxConnections, server.DescriptorBudget);
            if (rules is not null)
            {
                Log.RulesLoaded(logger, rules.Rules.Count, rules.Rules.FilePath);
            }
            else if (fleet is null && users.Count == 0)
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
            if (fleet is not null)
            {
                await fleet.DisposeAsync().ConfigureAwait(false);
            }

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

    /// <summary>Creates the dissector family of <c>socks5d</c>.</summary>
    /// <param name="credentials">Where the credentials they find go: the credentials log.</param>
    /// <param name="switch">The run-time switch (<c>-N</c>, MCP TOGGLE_DISECTOR).</param>
    /// <param name="settings">The command line (<c>--dissect</c>, <c>--pop3-ports</c>).</param>
    /// <param name="loggerFactory">Diagnostics.</param>
    /// <returns>The factory handed to the server as its traffic observers.</returns>
    internal static DissectorFactory CreateDissectors(ICredentialSink credentials, DissectorSwitch @switch, HostSettings settings, ILoggerFactory loggerFactory) =>
        new(credentials, @switch, settings.DissectPorts.ToDictionary(p => p.Key, p => (IReadOnlyCollection<int>)p.Value), settings.DissectSniff,
            logger: loggerFactory.CreateLogger("Socks.Core.Dissectors"));

    /// <summary>
    /// The proxy's access policy: never its own endpoints (self-protection), unless --allow-all-destinations never
    /// link-local, metadata, unspecified, multicast or broadcast addresses, and then the --rules file, if any.
    /// </summary>
    private static IAccessPolicy CreateAccessPolicy(SelfEndpoints selfEndpoints, SpecialDestinationsSwitch specialDestinations, AccessRulesPolicy? rules)
    {
        var self = new ProtectedEndpointsPolicy(selfEndpoints.Current);
        return rules is null ? new CompositeAccessPolicy(self, specialDestinations) : new CompositeAccessPolicy(self, specialDestinations, rules);
    }

    /// <summary>
    /// Connects the --redis user store (docs/fleet.md). An unreachable Redis is no error: the store logs it once and keeps
    /// trying; only options that cannot work (an unreadable password file) are.
    /// </summary>
    private static async Task<(RedisUserStore? Store, string Problem)> TryConnectRedisAsync(HostSettings settings, UserStore snapshot, ILoggerFactory loggerFactory, IMeterFactory? meterFactory)
    {
        string? password = null;
        if (settings.RedisPasswordFile is { } passwordFile)
        {
            try
            {
                password = File.ReadLines(passwordFile).FirstOrDefault() ?? "";
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return (null, $"cannot read --redis-password-file {passwordFile}: {exception.Message}");
            }
        }

        System.Security.Cryptography.X509Certificates.X509Certificate2Collection? authorities = null;
        if (settings.RedisTlsCa is { } caFile)
        {
            authorities = [];
            try
            {
                authorities.ImportFromPemFile(caFile);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                return (null, $"cannot read --redis-tls-ca {caFile}: {exception.Message.ReplaceLineEndings(" ").Trim()}");
            }

            if (authorities.Count == 0)
            {
                return (null, $"--redis-tls-ca {caFile} holds no PEM certificate");
            }
        }

        var options = new RedisUserStoreOptions
        {
            EndPoint = settings.Redis!,
            Password = password,
            Tls = settings.RedisTls,
            Prefix = settings.RedisPrefix,
            Offline = settings.RedisOfflineRefuse ? RedisOfflineMode.Refuse : RedisOfflineMode.Serve,
            LeaseTime = settings.RedisLeaseTime,
            StatisticsInterval = settings.RedisStatsInterval,
            TlsCertificateAuthorities = authorities,
        };
        try
        {
            var store = await RedisUserStore.ConnectAsync(options, snapshot, loggerFactory.CreateLogger<RedisUserStore>(), meterFactory, CancellationToken.None).ConfigureAwait(false);
            return (store, "");
        }
        catch (ArgumentException exception)
        {
            return (null, $"invalid value '{settings.Redis}' for --redis: {exception.Message}");
        }
        catch (System.Security.Authentication.AuthenticationException exception)
        {
            // The password or the certificate was refused: a configuration error, not an outage to serve through.
            var hint = !exception.Message.EndsWith("password", StringComparison.Ordinal) ? ""
                : settings.RedisPasswordFile is { } file ? $" of --redis-password-file {file}" : ": give it with --redis-password-file";
            return (null, exception.Message + hint);
        }
    }

    private static bool TryCreateUserStore(HostSettings settings, ILogger<UserStore> logger, [NotNullWhen(true)] out UserStore? store, out string problem)
    {
        store = null;
        problem = "";
        UserStore candidate;
        if (settings.UsersFile is { } path)
        {
            try
            {
                candidate = UserStore.Open(path, settings.MaxUsers, logger);
            }
            catch (UsersFileException exception)
            {
                // One line naming the file and, when it is about one line, the line; never password material.
                problem = exception.Message;
                return false;
            }
        }
        else
        {
            candidate = UserStore.CreateInMemory(settings.MaxUsers, UserStoreOptions.Default, logger);
        }

        var fromFile = candidate.Count;
        foreach (var (username, password) in settings.Users)
        {
            // Command-line users are given again at every start: never written to the users file.
            switch (candidate.AddTemporary(username, password))
            {
                case UserChangeResult.Ok:
                    continue;
                case UserChangeResult.UserExists when candidate.FilePath is { } file:
                    // Deciding silently which password wins would surprise one of the two sources; ask instead.
                    problem = $"user '{LogText.EscapeName(username)}' is given with -u and is also in users file {file}: " +
                        "give it in one place only (remove it from the file with mcpctl remove-user, or drop the -u)";
                    return false;
                case UserChangeResult.UserExists:
                    problem = $"user '{LogText.EscapeName(username)}' is given with -u more than once";
                    return false;
                case UserChangeResult.UserLimit:
                    problem = $"too many users: {fromFile} in users file {candidate.FilePath} and {settings.Users.Count} given with -u, " +
                        $"but --max-users is {settings.MaxUsers}";
                    return false;
                default:
                    throw new InvalidOperationException("Adding a user from the command line gave an unexpected result.");
            }
        }

        store = candidate;
        return true;
    }

    /// <summary>
    /// The users file holds password hashes: readable by its owner only. socks5d creates it 0600 and every save keeps
    /// that; a file provisioned by hand with a looser mode is tightened at start (socks5d owns the file while it runs).
    /// </summary>
    private static void TightenUsersFileMode(UserStore users, ILogger logger)
    {
        if (users.FilePath is not { } path || OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return;
        }

        const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & Others) == 0)
            {
                return;
            }

            var tightened = mode & ~Others;
            try
            {
                File.SetUnixFileMode(path, tightened);
                Log.UsersFileModeTightened(logger, path, FileModeText.Octal(mode), FileModeText.Octal(tightened));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                Log.UsersFileModeLoose(logger, path, FileModeText.Octal(mode), exception.Message);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The file was loaded a moment ago; if it vanished since, the next save creates it 0600 anyway.
            Log.UsersFileModeLoose(logger, path, "unknown", exception.Message);
        }
    }

    /// <summary>
    /// Who MCP serves: root and the uid socks5d runs as, always (both could read the process's memory anyway), plus
    /// --mcp-allow-uid.
    /// </summary>
    private static McpClientPolicy CreateClientPolicy(HostSettings settings) =>
        new([.. McpClientPolicy.Default.AllowedUids, .. settings.ManagementAllowedUids], settings.ManagementAllowsAnyClient);

    private static bool TryListenManagement(McpManagementServer management, HostSettings settings, out string failure)
    {
        failure = "";
        var unix = settings.ManagementEndPoint is UnixDomainSocketEndPoint;
        try
        {
            management.Start(settings.ManagementEndPoint);
            return true;
        }
        catch (SocketException exception)
        {
            failure = CannotListen(settings.ManagementEndPoint, exception, unix ? "MCP management, -L" : "MCP management, -L/-P");
            return false;
        }
        catch (IOException exception)
        {
            // The Unix socket's own checks (McpListenerException), or a path that cannot be examined.
            failure = $"cannot listen on {Describe(settings.ManagementEndPoint)} (MCP management, -L): {exception.Message}";
            return false;
        }
    }

    private static string Describe(EndPoint endpoint) => endpoint is UnixDomainSocketEndPoint unix ? "unix:" + unix : endpoint.ToString()!;

    private static bool TryListen(SocksServer server, HostSettings settings, ILogger logger, out string failure)
    {
        failure = "";
        if (settings.ListenAddresses.Count > 0)
        {
            // Every -l on the same -p; all or nothing: SocksServer.Start closes what it bound when one fails.
            IPEndPoint[] endpoints = [.. settings.ListenAddresses.Select(address => new IPEndPoint(address, settings.Port))];
            try
            {
                server.Start(endpoints);
                return true;
            }
            catch (SocketException exception)
            {
                failure = CannotListen(FailedEndPoint(endpoints, exception), exception);
                return false;
            }
        }

        IPEndPoint endpoint;
        if (Socket.OSSupportsIPv6)
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
        catch (SocketException exception) when (endpoint.AddressFamily == AddressFamily.InterNetworkV6
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

    /// <summary>
    /// Which of several endpoints failed to bind: bound again in order, each kept open while the next is tried (so
    /// <c>-l :: -l 0.0.0.0</c> names the second, taken by the dual-stack first), the first that fails as the server's did.
    /// </summary>
    private static IPEndPoint FailedEndPoint(IPEndPoint[] endpoints, SocketException exception)
    {
        var probes = new List<Socket>(endpoints.Length);
        try
        {
            foreach (var endpoint in endpoints)
            {
                var probe = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                probes.Add(probe);
                try
                {
                    if (endpoint.Address.Equals(IPAddress.IPv6Any))
                    {
                        probe.DualMode = true;
                    }

                    probe.Bind(endpoint);
                }
                catch (SocketException probeError) when (probeError.SocketErrorCode == exception.SocketErrorCode)
                {
                    return endpoint;
                }
                catch (SocketException)
                {
                    // Another error than the server's: not the endpoint that failed it.
                }
            }

            return endpoints[0];
        }
        finally
        {
            foreach (var probe in probes)
            {
                probe.Dispose();
            }
        }
    }

    private static string CannotListen(EndPoint endpoint, SocketException exception, string? role = null)
    {
        var reason = exception.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => "address already in use",
            SocketError.AddressNotAvailable => "address not available on this host",
            SocketError.AccessDenied => "permission denied",
            SocketError.AddressFamilyNotSupported => "address family not supported",
            _ => exception.Message.ToLowerInvariant(),
        };
        return role is null ? $"cannot listen on {Describe(endpoint)}: {reason}" : $"cannot listen on {Describe(endpoint)} ({role}): {reason}";
    }
}
