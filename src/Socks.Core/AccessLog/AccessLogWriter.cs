using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Socks.Core.AccessLog;

/// <summary>
/// The access log: writes one line per session (<see cref="AccessLogFormatter"/>) to a file or to
/// standard output, from a background task, so that <see cref="Append"/> never blocks a session.
/// </summary>
/// <remarks>
/// <para>Nothing is lost silently. Records that cannot be queued (more than the queue capacity
/// waiting, or appended after disposal) or written (disk error) are counted in
/// <see cref="FailedRecords"/>. A disk failure is logged once, as an error, when it starts; the writer
/// keeps trying with every later batch and says so when it works again.</para>
/// <para>Rotation: after the file was renamed (logrotate), call <see cref="Reopen"/> (on SIGHUP).</para>
/// <para>Shutdown: <see cref="DisposeAsync"/> writes everything queued, then closes the file.</para>
/// </remarks>
public sealed class AccessLogWriter : IAccessLogSink, IAsyncDisposable
{
    /// <summary>The path that means standard output.</summary>
    public const string StandardOutputPath = "-";

    /// <summary>How many records may wait for the disk before new ones are counted as failed.</summary>
    public const int DefaultQueueCapacity = LineLogWriter<AccessLogRecord>.DefaultQueueCapacity;

    private readonly LineLogWriter<AccessLogRecord> _writer;

    /// <summary>
    /// Opens <paramref name="path"/> for appending (created with mode 0640 if absent) and starts the
    /// background writer.
    /// </summary>
    /// <param name="path">A file path, or <c>-</c> for standard output.</param>
    /// <param name="logger">Where write failures are reported; none if null.</param>
    /// <param name="queueCapacity">How many records may wait to be written.</param>
    /// <param name="meterFactory">Creates the "Socks.Core" meter on which the record counters are published
    /// (<c>socks.accesslog.records.written</c>, <c>.failed</c>, <c>.pending</c>); null for a meter this writer owns.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="IOException">The file cannot be opened (missing directory, ...).</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be written.</exception>
    public AccessLogWriter(string path, ILogger? logger = null, int queueCapacity = DefaultQueueCapacity, IMeterFactory? meterFactory = null)
    {
        _writer = new LineLogWriter<AccessLogRecord>(path, "access log", AccessLogFormatter.Write, logger, queueCapacity, ("socks.accesslog", meterFactory));
    }

    /// <summary>Records written and flushed.</summary>
    public long WrittenRecords => _writer.WrittenRecords;

    /// <summary>Records not written: queue full, appended after disposal, or a write error. For metrics.</summary>
    public long FailedRecords => _writer.FailedRecords;

    /// <summary>Records queued and not yet written.</summary>
    public long PendingRecords => _writer.PendingRecords;

    /// <summary>Queues a record; never blocks and never does I/O on the caller's thread.</summary>
    /// <param name="record">The finished session.</param>
    public void Append(AccessLogRecord record) => _writer.Append(record);

    /// <summary>Completes when every record appended before the call is written or counted as failed.</summary>
    /// <returns>A task that completes when the queue up to this point is processed.</returns>
    public Task FlushAsync() => _writer.FlushAsync();

    /// <summary>
    /// Reopens the file by its path, on the writer task, after the records queued before this call.
    /// Use after logrotate renamed the file (SIGHUP). Does nothing for standard output.
    /// </summary>
    public void Reopen() => _writer.Reopen();

    /// <summary>
    /// Like <see cref="Reopen"/>, and completes once the file was reopened (after the records queued
    /// before the call were written to the old one). A failure is reported through the logger.
    /// </summary>
    /// <returns>True when the log is open afterwards (always for standard output); false when the path
    /// could not be opened (later records are counted as failed until it can) or the writer is disposed.</returns>
    public Task<bool> ReopenAsync() => _writer.ReopenAsync();

    /// <summary>Writes everything queued, then closes the file.</summary>
    /// <returns>A task that completes once the log is closed.</returns>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
