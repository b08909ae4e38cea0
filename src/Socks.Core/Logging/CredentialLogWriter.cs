using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Socks.Core.Dissectors;

namespace Socks.Core.Logging;

/// <summary>
/// The credentials log: one line per credential (<see cref="CredentialLogFormatter"/>) to a file or to
/// standard output (the default), written by the same record-log writer as the access log
/// (<see cref="RecordLogWriter{TRecord}"/>).
/// </summary>
public sealed class CredentialLogWriter : RecordLogWriter<CredentialRecord>, ICredentialSink
{
    /// <summary>
    /// Opens the target (a file is created with mode 0600 if absent and appended to) and starts the
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
        : base(path, "credentials log", CredentialLogFormatter.Write, logger, queueCapacity, "socks.credentials", meterFactory)
    {
    }
}
