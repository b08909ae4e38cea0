using Microsoft.Extensions.Hosting;
using Socks.Core;
using Socks.Core.Dissectors;

namespace ProxyHost.Hosting;

/// <summary>
/// Closes the logs at shutdown, and only after the SOCKS server has stopped: the drain (or the abort
/// at its deadline) makes every open session append its record first, so nothing queued is lost.
/// </summary>
internal sealed class LogSinksService : IHostedService
{
    private readonly LogSinks _sinks;
    private readonly SocksServer _server;
    private readonly HostSettings _settings;
    private readonly DissectorFactory _dissector;
    private readonly DissectorSwitch _switch;

    /// <summary>Creates the service.</summary>
    /// <param name="sinks">The logs.</param>
    /// <param name="server">The server whose stop comes first.</param>
    /// <param name="settings">The drain timeout.</param>
    /// <param name="dissector">The dissector feeding the credentials log, whose state the start-up line reports.</param>
    /// <param name="switch">The dissector's run-time switch.</param>
    public LogSinksService(LogSinks sinks, SocksServer server, HostSettings settings, DissectorFactory dissector, DissectorSwitch @switch)
    {
        _sinks = sinks;
        _server = server;
        _settings = settings;
        _dissector = dissector;
        _switch = @switch;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _sinks.ReportStarted(_dissector, _switch);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The same stop SocksServerService starts (StopAsync returns the first call's task): whichever
        // service the host stops first, the logs close after the last session ended.
        await _server.StopAsync(_settings.DrainTimeout, cancellationToken).ConfigureAwait(false);
        await _sinks.CloseAsync().ConfigureAwait(false);
    }
}
