namespace Socks.Core.AccessLog;

/// <summary>
/// Receives one <see cref="AccessLogRecord"/> per SOCKS session when the session ends.
/// </summary>
public interface IAccessLogSink
{
    /// <summary>
    /// Queues a record. Called on the session's path, so it must not block on I/O: implementations
    /// hand the record to a background writer.
    /// </summary>
    /// <param name="record">The finished session.</param>
    void Append(AccessLogRecord record);
}
