using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Socks.Core.AccessLog;

namespace Socks.Core.Logging;

/// <summary>
/// The access log: one line per session (<see cref="AccessLogFormatter"/>) to a file or to standard
/// output, written by the record-log writer (<see cref="RecordLogWriter{TRecord}"/>) so that
/// <see cref="RecordLogWriter{TRecord}.Append"/> never blocks a session.
/// </summary>
public sealed class AccessLogWriter : RecordLogWriter<AccessLogRecord>, IAccessLogSink
{
    /// <summary>
    /// Opens <paramref name="path"/> for appending (created with mode 0600 if absent) and starts the
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
        : base(path, "access log", AccessLogFormatter.Write, logger, queueCapacity, "socks.accesslog", meterFactory)
    {
    }
}
