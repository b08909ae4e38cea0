using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Socks.Core.Logging;

/// <summary>
/// A record log: one line per record, written to a file or to standard output by a background writer,
/// so that <see cref="Append"/> never blocks the session that produced the record. The access log
/// (<see cref="AccessLogWriter"/>) and the credentials log (<see cref="CredentialLogWriter"/>) are the
/// two record logs; they differ only in the record type, its formatter and their names.
/// </summary>
/// <remarks>
/// <para>Nothing is lost silently. Records that cannot be queued (more than the queue capacity
/// waiting, or appended after disposal) or written (disk error) are counted in
/// <see cref="FailedRecords"/>. A disk failure is logged once, as an error, when it starts; the writer
/// keeps trying with every later batch and says so when it works again.</para>
/// <para>Rotation: after the file was renamed (logrotate), call <see cref="Reopen"/> (on SIGHUP).</para>
/// <para>Shutdown: <see cref="DisposeAsync"/> writes everything queued, then closes the file.</para>
/// </remarks>
/// <typeparam name="TRecord">The record type, one line each.</typeparam>
public abstract class RecordLogWriter<TRecord> : IAsyncDisposable
    where TRecord : class
{
    /// <summary>The path that means standard output.</summary>
    public const string StandardOutputPath = LineLogWriter<TRecord>.StandardOutputPath;

    /// <summary>How many records may wait to be written before new ones are counted as failed.</summary>
    public const int DefaultQueueCapacity = LineLogWriter<TRecord>.DefaultQueueCapacity;

    private readonly LineLogWriter<TRecord> _writer;

    /// <summary>
    /// Opens <paramref name="path"/> for appending (created with mode 0600 if absent) and starts the
    /// background writer.
    /// </summary>
    /// <param name="path">A file path, or <c>-</c> for standard output.</param>
    /// <param name="name">What the log is called in diagnostics ("access log").</param>
    /// <param name="format">The formatter: appends one record's line, without the LF.</param>
    /// <param name="logger">Where write failures are reported; none if null.</param>
    /// <param name="queueCapacity">How many records may wait to be written.</param>
    /// <param name="metricPrefix">The prefix of the record counters' names (<c>socks.accesslog</c>).</param>
    /// <param name="meterFactory">Creates the "Socks.Core" meter on which the counters are published; null for a meter this writer owns.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="IOException">The file cannot be opened (missing directory, ...).</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be written.</exception>
    private protected RecordLogWriter(
        string path,
        string name,
        Action<TRecord, LogLineBuilder> format,
        ILogger? logger,
        int queueCapacity,
        string metricPrefix,
        IMeterFactory? meterFactory)
    {
        _writer = new LineLogWriter<TRecord>(path, name, format, logger, queueCapacity, (metricPrefix, meterFactory));
    }

    /// <summary>Records written and flushed.</summary>
    public long WrittenRecords => _writer.WrittenRecords;

    /// <summary>Records not written: queue full, appended after disposal, or a write error. For metrics.</summary>
    public long FailedRecords => _writer.FailedRecords;

    /// <summary>Records queued and not yet written.</summary>
    public long PendingRecords => _writer.PendingRecords;

    /// <summary>Queues a record; never blocks and never does I/O on the caller's thread.</summary>
    /// <param name="record">The record.</param>
    public void Append(TRecord record) => _writer.Append(record);

    /// <summary>Completes when every record appended before the call is written or counted as failed.</summary>
    /// <returns>A task that completes when the queue up to this point is processed.</returns>
    public Task FlushAsync() => _writer.FlushAsync();

    /// <summary>
    /// Reopens the file by its path, on the writer, after the records queued before this call.
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
