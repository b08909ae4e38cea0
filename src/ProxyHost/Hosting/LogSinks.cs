using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProxyHost.Unix;
using Socks.Core.Dissectors;
using Socks.Core.Logging;

namespace ProxyHost.Hosting;

/// <summary>
/// The two record logs of <c>socks5d</c> (access log, credentials log) and the SIGHUP handler, which runs the
/// <see cref="ReloadCoordinator"/>'s steps; the first two reopen both logs after logrotate renamed them. The POP3
/// dissector that feeds the credentials log is composed next to the server options (<see cref="SocksHost"/>), not here.
/// </summary>
/// <remarks>
/// Shutdown order: the SOCKS server is stopped (drained) first, so every session has appended its
/// records; only then <see cref="CloseAsync"/> writes what is queued and closes the files
/// (<see cref="LogSinksService"/>). The SIGHUP handler is registered when the logs are opened, before
/// the server listens, and stays registered until the host is disposed, so a SIGHUP never takes the
/// default action (ending the process).
/// </remarks>
internal sealed class LogSinks : IAsyncDisposable
{
    private readonly HostSettings _settings;
    private readonly ILogger _logger;
    private readonly PosixSignalRegistration? _hangUp;
    private readonly ReloadCoordinator _reload;
    private int _closed;

    private LogSinks(HostSettings settings, AccessLogWriter accessLog, CredentialLogWriter credentialsLog, ILogger logger, ReloadCoordinator reload)
    {
        _settings = settings;
        _logger = logger;
        _reload = reload;
        AccessLog = accessLog;
        CredentialsLog = credentialsLog;
        reload.AddAsyncStep("access log", async () => Reopened(_settings.AccessLogPath, await AccessLog.ReopenAsync().ConfigureAwait(false)));
        reload.AddAsyncStep("credentials log", async () => Reopened(_settings.CredentialsLogPath, await CredentialsLog.ReopenAsync().ConfigureAwait(false)));
        if (!OperatingSystem.IsWindows())
        {
            // Under nohup SIGHUP arrives ignored, and the runtime would leave it so: kill -HUP must still reopen the logs.
            SignalDisposition.ResetIfIgnored(SignalDisposition.SIGHUP);
            _hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnHangUp);
        }
    }

    /// <summary>The access log (--access-log).</summary>
    public AccessLogWriter AccessLog { get; }

    /// <summary>The credentials log (--credentials-log).</summary>
    public CredentialLogWriter CredentialsLog { get; }

    /// <summary>Opens both logs.</summary>
    /// <param name="settings">The paths.</param>
    /// <param name="loggerFactory">Diagnostics.</param>
    /// <param name="meterFactory">Creates the "Socks.Core" meter for the record counters, or null.</param>
    /// <param name="reload">What SIGHUP runs; reopening the two logs is added to it as its first two steps.</param>
    /// <returns>The open logs.</returns>
    /// <exception cref="LogOpenException">A log file could not be opened; nothing is left open.</exception>
    public static LogSinks Open(HostSettings settings, ILoggerFactory loggerFactory, IMeterFactory? meterFactory, ReloadCoordinator reload)
    {
        var accessLog = OpenLog("access log", settings.AccessLogPath,
            () => new AccessLogWriter(settings.AccessLogPath, loggerFactory.CreateLogger("Socks.Core.AccessLog"), meterFactory: meterFactory));
        CredentialLogWriter credentialsLog;
        try
        {
            credentialsLog = OpenLog("credentials log", settings.CredentialsLogPath,
                () => new CredentialLogWriter(settings.CredentialsLogPath, loggerFactory.CreateLogger("Socks.Core.Dissectors"), meterFactory: meterFactory));
        }
        catch (LogOpenException)
        {
            // Start-up is failing; the access log holds nothing yet, and its writer thread ends at once.
            accessLog.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        return new LogSinks(settings, accessLog, credentialsLog, loggerFactory.CreateLogger("ProxyHost.Hosting.LogSinks"), reload);
    }

    /// <summary>Logs where the records go and the state of the dissector that feeds the credentials log (once the server is up).</summary>
    /// <param name="dissector">The dissectors writing to <see cref="CredentialsLog"/>.</param>
    /// <param name="switch">Its run-time switch.</param>
    public void ReportStarted(DissectorFactory dissector, DissectorSwitch @switch)
    {
        Log.LogsOpened(_logger, Describe(_settings.AccessLogPath), Describe(_settings.CredentialsLogPath),
            @switch.Enabled ? "on" : "off (-N)", Describe(dissector));
        WarnIfOthersCanRead(_settings.CredentialsLogPath);
    }

    /// <summary>"http 80,8080; ftp 21; imap 143; pop3 110,*; smtp 25,587": the ports of each dissector, * when it is also detected elsewhere.</summary>
    private static string Describe(DissectorFactory dissector) =>
        string.Join("; ", dissector.Ports.Select(p =>
        {
            var ports = p.Value.Select(port => port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (dissector.SniffedProtocols.Contains(p.Key))
            {
                ports = ports.Append("*");
            }

            var list = string.Join(',', ports);
            return $"{DissectorFactory.Name(p.Key).ToLowerInvariant()} {(list.Length == 0 ? "none" : list)}";
        }));

    /// <summary>A credentials log that was created by hand (or by an older socks5d) may be readable by others: say so once.</summary>
    private void WarnIfOthersCanRead(string path)
    {
        if (path == CredentialLogWriter.StandardOutputPath || OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (IOException)
        {
            // A character device or a file that vanished: nothing to judge.
            return;
        }

        var group = (mode & UnixFileMode.GroupRead) != 0;
        var others = (mode & UnixFileMode.OtherRead) != 0;
        if (group || others)
        {
            Log.CredentialsLogReadable(_logger, path, others ? "every user" : "its group", FileModeText.Octal(mode));
        }
    }

    /// <summary>
    /// Resolves the logs from the container, opening them, and turns an open failure into the one line
    /// <c>socks5d</c> prints.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="failure">The reason, when false.</param>
    /// <returns>True when both logs are open.</returns>
    public static bool TryOpen(IServiceProvider services, out string failure)
    {
        try
        {
            services.GetRequiredService<LogSinks>();
            failure = "";
            return true;
        }
        catch (LogOpenException exception)
        {
            failure = exception.Message;
            return false;
        }
    }

    /// <summary>
    /// Writes every queued record and closes both logs; logs how many records could not be written, if
    /// any. Call after the SOCKS server has stopped. Later calls do nothing.
    /// </summary>
    /// <returns>A task that completes when both logs are closed.</returns>
    public async Task CloseAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        await AccessLog.DisposeAsync().ConfigureAwait(false);
        await CredentialsLog.DisposeAsync().ConfigureAwait(false);
        ReportFailures("access log", _settings.AccessLogPath, AccessLog.FailedRecords);
        ReportFailures("credentials log", _settings.CredentialsLogPath, CredentialsLog.FailedRecords);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _hangUp?.Dispose();
    }

    private static T OpenLog<T>(string name, string path, Func<T> open)
    {
        try
        {
            return open();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            var reason = exception switch
            {
                DirectoryNotFoundException => "no such directory",
                UnauthorizedAccessException => "permission denied",
                _ => exception.Message,
            };
            throw new LogOpenException($"cannot open the {name} '{path}': {reason}", exception);
        }
    }

    private static string Describe(string path) => path == AccessLogWriter.StandardOutputPath ? "standard output" : path;

    private void ReportFailures(string name, string path, long failed)
    {
        if (failed > 0)
        {
            Log.RecordsNotWritten(_logger, failed, name, Describe(path));
        }
    }

    private void OnHangUp(PosixSignalContext context)
    {
        // The default action would end the process; for a daemon SIGHUP means "reopen your logs".
        context.Cancel = true;
        if (Volatile.Read(ref _closed) != 0)
        {
            return;
        }

        _ = _reload.RunAsync();
    }

    private static ReloadStepResult Reopened(string path, bool ok) =>
        path == AccessLogWriter.StandardOutputPath ? ReloadStepResult.Done("on standard output")
        : ok ? ReloadStepResult.Done($"reopened at {path}")
        : ReloadStepResult.Failure($"could not be reopened at {path} (see the error above)");
}
