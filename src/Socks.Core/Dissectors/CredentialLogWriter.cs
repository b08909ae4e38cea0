using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Socks.Core.AccessLog;

namespace Socks.Core.Dissectors;

/// <summary>
/// The credentials log: one line per credential (<see cref="CredentialLogFormatter"/>) written to a
/// file or to standard output (the default) by the same background writer as the access log:
/// <see cref="Append"/> never blocks, failures are counted in <see cref="FailedRecords"/> and logged
/// once, <see cref="Reopen"/> follows a rename by logrotate, and <see cref="DisposeAsync"/> writes
/// everything queued before closing.
/// </summary>
public sealed class CredentialLogWriter : ICredentialSink, IAsyncDisposable
{
    /// <summary>The path that means standard output.</summary>
    public const string StandardOutputPath = "-";

    /// <summary>How many records may wait to be written before new ones are counted as failed.</summary>
    public const int DefaultQueueCapacity = LineLogWriter<CredentialRecord>.DefaultQueueCapacity;

    private readonly LineLogWriter<CredentialRecord> _writer;

    /// <summary>
    /// Opens the target (a file is created with mode 0640 if absent and appended to) and starts the
    /// background writer.
    /// </summary>
    /// <param name="path">A file path, or <c>-</c> (the default) for standard output.</param>
    /// <param name="logger">Where write failures are reported; none if null.</param>
    /// <param name="queueCapacity">How many records may wait to be written.</param>
    /// <param name="meterFactory">Creates the "Socks.Core" meter on which the record counters are published
    /// (<c>socks.credentials.records.written</c>, <c>.failed</c>, <c>.pending</c>); null for a meter this writer owns.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="IOException">The file cannot be opened (missing directory, ...).</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be written.</exception>
    public CredentialLogWriter(string path = StandardOutputPath, ILogger? logger = null, int queueCapacity = DefaultQueueCapacity, IMeterFactory? meterFactory = null)
    {
        _writer = new LineLogWriter<CredentialRecord>(path, "credentials log", CredentialLogFormatter.Write, logger, queueCapacity, ("socks.credentials", meterFactory));
    }

    /// <summary>Records written and flushed.</summary>
    public long WrittenRecords => _writer.WrittenRecords;

    /// <summary>Records not written: queue full, appended after disposal, or a write error.</summary>
    public long FailedRecords => _writer.FailedRecords;

    /// <summary>Records queued and not yet written.</summary>
    public long PendingRecords => _writer.PendingRecords;

    /// <summary>Queues a record; never blocks and never does I/O on the caller's thread.</summary>
    /// <param name="record">The credential.</param>
    public void Append(CredentialRecord record) => _writer.Append(record);

    /// <summary>Completes when every record appended before the call is written or counted as failed.</summary>
    /// <returns>A task that completes when the queue up to this point is processed.</returns>
    public Task FlushAsync() => _writer.FlushAsync();

    /// <summary>Reopens the file by its path after the records queued so far (SIGHUP after logrotate). No effect on stdout.</summary>
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
