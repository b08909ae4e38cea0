using Microsoft.Extensions.Logging;

namespace ProxyHost.Hosting;

/// <summary>Log messages of the access log, credentials log and dissector wiring and the SIGHUP reload (event ids 40-59).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Information,
        Message = "Access log: {AccessLog}; credentials log: {CredentialsLog}; dissectors {State}: {Ports}")]
    public static partial void LogsOpened(ILogger logger, string accessLog, string credentialsLog, string state, string ports);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "SIGHUP received: access log {AccessLog}; credentials log {CredentialsLog}")]
    public static partial void LogsReopened(ILogger logger, string accessLog, string credentialsLog);

    [LoggerMessage(EventId = 45, Level = LogLevel.Information,
        Message = "SIGHUP received: access log {AccessLog}; credentials log {CredentialsLog}; users file {UsersFile} reloaded: {Users} users ({Added} added, {Removed} removed, {Changed} changed)")]
    public static partial void ReopenedAndUsersReloaded(ILogger logger, string accessLog, string credentialsLog, string usersFile, int users, int added, int removed, int changed);

    [LoggerMessage(EventId = 46, Level = LogLevel.Warning,
        Message = "SIGHUP received: access log {AccessLog}; credentials log {CredentialsLog}; users file not reloaded, the {Users} users loaded before are kept: {Problem}")]
    public static partial void ReopenedUsersNotReloaded(ILogger logger, string accessLog, string credentialsLog, int users, string problem);

    [LoggerMessage(EventId = 55, Level = LogLevel.Information, Message = "SIGHUP received: rules file {RulesFile} reloaded: {Rules} rules")]
    public static partial void RulesReloaded(ILogger logger, string rulesFile, int rules);

    [LoggerMessage(EventId = 56, Level = LogLevel.Warning, Message = "SIGHUP received: rules not reloaded, the {Rules} rules loaded before are kept: {Problem}")]
    public static partial void RulesNotReloaded(ILogger logger, int rules, string problem);

    [LoggerMessage(EventId = 57, Level = LogLevel.Information, Message = "Access rules: {Rules} rules from {RulesFile}; a request no rule matches is denied")]
    public static partial void RulesLoaded(ILogger logger, int rules, string rulesFile);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "{Count} records could not be written to the {LogName} ({Path})")]
    public static partial void RecordsNotWritten(ILogger logger, long count, string logName, string path);

    [LoggerMessage(EventId = 44, Level = LogLevel.Warning,
        Message = "The credentials log {Path} is readable by {Who} (mode {Mode}): it holds captured passwords in clear; chmod 600 it")]
    public static partial void CredentialsLogReadable(ILogger logger, string path, string who, string mode);

    [LoggerMessage(EventId = 43, Level = LogLevel.Error, Message = "Reopening the logs after SIGHUP failed")]
    public static partial void ReopenFailed(ILogger logger, Exception exception);
}
