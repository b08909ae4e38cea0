using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace ProxyHost.Hosting;

/// <summary>
/// Replaces the host's console lifetime: the first SIGTERM, SIGINT or SIGQUIT starts a graceful
/// stop (listeners close at once, sessions drain up to the drain timeout, exit 0); a second one exits
/// at once with 128 + the signal number. The stock lifetime ignores the second signal.
/// </summary>
internal sealed class SignalLifetime : IHostLifetime, IDisposable
{
    private readonly IHostApplicationLifetime _applicationLifetime;
    private readonly HostSettings _settings;
    private readonly ILogger _logger;
    private readonly ISystemdNotifier? _systemd;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signals;

    /// <summary>Creates the lifetime.</summary>
    /// <param name="applicationLifetime">Stops the application.</param>
    /// <param name="settings">The drain timeout, for the log.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="services">Gives the systemd notifier, registered only when running as a systemd service.</param>
    public SignalLifetime(IHostApplicationLifetime applicationLifetime, HostSettings settings, ILogger<SignalLifetime> logger, IServiceProvider services)
    {
        _systemd = services.GetService<ISystemdNotifier>();
        _applicationLifetime = applicationLifetime;
        _settings = settings;
        _logger = logger;
    }

    /// <inheritdoc/>
    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal));
        if (_systemd is { IsEnabled: true } systemd)
        {
            // This lifetime replaces SystemdLifetime, so it sends what that one would (Type=notify units).
            _applicationLifetime.ApplicationStarted.Register(() => systemd.Notify(ServiceState.Ready));
            _applicationLifetime.ApplicationStopping.Register(() => systemd.Notify(ServiceState.Stopping));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The default action would kill the process at once; we decide.
        context.Cancel = true;
        var name = context.Signal.ToString();
        if (Interlocked.Increment(ref _signals) == 1)
        {
            Log.Stopping(_logger, name, _settings.DrainTimeout);
            _applicationLifetime.StopApplication();
            return;
        }

        Log.ExitingNow(_logger, name);
        Environment.Exit(ExitCodes.SignalBase + SignalNumber(context.Signal));
    }

    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };
}
