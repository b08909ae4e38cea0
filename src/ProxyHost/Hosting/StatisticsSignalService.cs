using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ProxyHost.Management;
using Socks.Core;

namespace ProxyHost.Hosting;

/// <summary>
/// Signals an operator sends to a running daemon without meaning to stop it: SIGUSR1 writes one line of statistics
/// to the diagnostic log (as Dante does), SIGUSR2 is ignored. The runtime's default action for both would end the
/// process at once (exit 138 and 140). SIGPIPE is already ignored by the .NET runtime (a write to a closed socket
/// fails with EPIPE instead).
/// </summary>
internal sealed class StatisticsSignalService : IDisposable
{
    /// <summary>SIGUSR1 on Linux (raw signal numbers are passed through by <see cref="PosixSignalRegistration"/>).</summary>
    internal const int SIGUSR1 = 10;

    /// <summary>SIGUSR2 on Linux.</summary>
    internal const int SIGUSR2 = 12;

    private readonly SocksServer _server;
    private readonly IUserDirectory _users;
    private readonly McpManagementServer _management;
    private readonly ILogger _logger;
    private readonly List<PosixSignalRegistration> _registrations = [];

    /// <summary>Creates the service.</summary>
    /// <param name="server">The running server, for its counters.</param>
    /// <param name="users">The users, for their number.</param>
    /// <param name="management">The MCP listener, for its connections.</param>
    /// <param name="logger">Where the statistics line goes.</param>
    public StatisticsSignalService(SocksServer server, IUserDirectory users, McpManagementServer management, ILogger<StatisticsSignalService> logger)
    {
        _server = server;
        _users = users;
        _management = management;
        _logger = logger;
    }

    /// <summary>Takes over SIGUSR1 and SIGUSR2 from the runtime's default action; the container disposes it at exit.</summary>
    public void Register()
    {
        if (!OperatingSystem.IsWindows() && _registrations.Count == 0)
        {
            _registrations.Add(PosixSignalRegistration.Create((PosixSignal)SIGUSR1, OnStatistics));
            _registrations.Add(PosixSignalRegistration.Create((PosixSignal)SIGUSR2, static context => context.Cancel = true));
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _registrations.Clear();
    }

    /// <summary>Logs the statistics line now (also what SIGUSR1 does).</summary>
    /// <returns>A task that completes when the line is logged.</returns>
    internal async Task LogStatisticsAsync()
    {
        var metrics = _server.GetMetrics();
        var users = (await _users.ListUsersAsync(CancellationToken.None).ConfigureAwait(false)).Count;
        Log.Statistics(
            _logger,
            metrics.HistoricalConnections,
            metrics.ConcurrentConnections,
            metrics.NegotiatingConnections,
            metrics.ConcurrentConnections - metrics.NegotiatingConnections,
            metrics.BytesTransferred,
            metrics.SuccessfulConnections,
            metrics.FailedConnections,
            metrics.ClientBytes,
            users,
            _users.MaxUsers,
            OpenDescriptors(),
            _server.MaxConnections,
            _server.DescriptorBudget.InUse,
            _server.DescriptorBudget.SessionDescriptors,
            _management.Statistics.ActiveConnections,
            _management.MaxConnections,
            GC.GetTotalMemory(forceFullCollection: false),
            _server.DescriptorBudget);
        if (_users is Socks.Users.Redis.RedisUserStore fleet)
        {
            // A line of its own (--redis only), so the statistics line keeps its shape for whoever parses it.
            Log.RedisStatistics(_logger, fleet.IsConnected ? "connected" : "unreachable", fleet.Version, fleet.Count);
        }
    }

    private static int OpenDescriptors()
    {
        try
        {
            return Directory.GetFileSystemEntries("/proc/self/fd").Length;
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }

    private void OnStatistics(PosixSignalContext context)
    {
        // Never the default action (terminate): the line is written off the signal thread.
        context.Cancel = true;
        _ = Task.Run(LogStatisticsAsync);
    }
}
