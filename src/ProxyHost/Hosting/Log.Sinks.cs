using Microsoft.Extensions.Logging;

namespace ProxyHost.Hosting;

/// <summary>Log messages of the access log, credentials log and dissector wiring and the SIGHUP reload (event ids 40-59; 45 is retired).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Information,
        Message = "Access log: {AccessLog}; credentials log: {CredentialsLog}; dissectors {State}: {Ports}")]
    public static partial void LogsOpened(ILogger logger, string accessLog, string credentialsLog, string state, string ports);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "SIGHUP received: {Summary}")]
    public static partial void Reloaded(ILogger logger, string summary);

    [LoggerMessage(EventId = 46, Level = LogLevel.Warning, Message = "SIGHUP received: {Summary}")]
    public static partial void ReloadedWithFailures(ILogger logger, string summary);

    [LoggerMessage(EventId = 57, Level = LogLevel.Information, Message = "Access rules: {Rules} rules from {RulesFile}; a request no rule matches is denied")]
    public static partial void RulesLoaded(ILogger logger, int rules, string rulesFile);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "{Count} records could not be written to the {LogName} ({Path})")]
    public static partial void RecordsNotWritten(ILogger logger, long count, string logName, string path);

    [LoggerMessage(EventId = 44, Level = LogLevel.Warning,
        Message = "The credentials log {Path} is readable by {Who} (mode {Mode}): it holds captured passwords in clear; chmod 600 it")]
    public static partial void CredentialsLogReadable(ILogger logger, string path, string who, string mode);

    [LoggerMessage(EventId = 43, Level = LogLevel.Error, Message = "SIGHUP: reloading the {Step} failed")]
    public static partial void ReloadStepThrew(ILogger logger, string step, Exception exception);
}
