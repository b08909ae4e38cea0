using Microsoft.Extensions.Logging;

namespace Socks.Core.Logging;

/// <summary>Log call sites of the access-log and credentials-log writers.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "The {LogName} cannot be written to {Path}: {Reason}. Records are counted as not written until it works again.")]
    public static partial void WriteFailed(ILogger logger, string logName, string path, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "The {LogName} is written to {Path} again; {FailedRecords} records were not written so far.")]
    public static partial void Recovered(ILogger logger, string logName, string path, long failedRecords);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "The {LogName} queue is full ({Capacity} records); records beyond it are counted as not written.")]
    public static partial void QueueFull(ILogger logger, string logName, int capacity);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "A {LogName} record could not be formatted; it is counted as not written.")]
    public static partial void FormatFailed(ILogger logger, string logName, Exception exception);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Debug, Message = "Closing the {LogName} at {Path} failed: {Reason}")]
    public static partial void CloseFailed(ILogger logger, string logName, string path, string reason);
}
