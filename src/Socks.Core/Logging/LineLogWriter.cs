using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Socks.Core.Metrics;

namespace Socks.Core.Logging;

/// <summary>
/// The background machinery shared by the access log and the credentials log: callers hand records
/// to <see cref="Append"/>, which only enqueues; one background thread of the writer's own formats them
/// into lines and writes each batch with a single write (flushed), to a file opened for appending or to
/// stdout.
/// </summary>
/// <remarks>
/// <para>Why a dedicated thread and not a task on the thread pool: the writes are synchronous and a slow
/// or stalled target (a disk under load, an NFS mount, a stdout pipe nobody reads) would hold a pool
/// thread for as long as it blocks, and the pool's threads are what the sessions' relays run on.
/// Asynchronous file I/O would not help on Linux: .NET has no kernel-asynchronous regular-file or
/// console writes there, so FileOptions.Asynchronous and RandomAccess.WriteAsync run the same blocking
/// write on a pool thread. One long-running thread per log, asleep while the queue is empty, keeps
/// every blocking write off the pool (the shape of Microsoft.Extensions.Logging.Console's
/// ConsoleLoggerProcessor).</para>
/// <para>Waking that thread costs a context switch each time, so it is woken only when it sleeps, by the
/// record that finds it asleep, and then waits 10 ms for the records behind it: under load the log costs one
/// wake-up and one write per 10 ms instead of per record (with the channel's own wait, each record woke a
/// pool thread and the writer, which spun before it slept: 11-14 % of the connection rate at c=32). A flush,
/// reopen or dispose does not wait.</para>
/// <para>Nothing is lost silently: a record that cannot be queued (queue full, writer disposed) or written
/// (disk error) is counted in <see cref="FailedRecords"/>. A failing target is reported with one error
/// when it starts failing (and one information message when it works again), never per record, and
/// the writer keeps trying with every later batch, reopening the file first.</para>
/// <para>No half record stays in front of the next one: a write that fails part way (a full disk takes
/// what fits) has left the beginning of the batch in the file, so the writer truncates the file back to
/// its length before that write (the length it had when the batch started). Where that cannot be done
/// (standard output, or the truncation fails too) the next batch starts with a line feed, so the fragment
/// stays a line of its own and every later record starts on a new line.</para>
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
internal sealed class LineLogWriter<T> : IAsyncDisposable
    where T : class
{
    /// <summary>The path that means standard output.</summary>
    public const string StandardOutputPath = "-";

    /// <summary>How many records may wait for the writer before new ones are counted as failed.</summary>
    public const int DefaultQueueCapacity = 100_000;

    // A batch is written once it reaches this size, so one burst does not build a huge buffer.
    private const int BatchBytes = 64 * 1024;

    // How long the writer waits, once woken by a record, for the records behind it (see the remarks).
    private const int LingerMilliseconds = 10;

    // POSIX PIPE_BUF: writes of at most this size to a pipe are atomic, so lines from the two logs
    // (both default to stdout) and from the console logger never interleave mid-line.
    private const int PipeAtomicBytes = 4096;

    private readonly string _path;
    private readonly string _name;
    private readonly bool _isStdout;
    private readonly Action<T, LogLineBuilder> _format;
    private readonly ILogger _logger;
    private readonly int _capacity;
    private readonly Channel<Entry> _channel;
    private readonly Thread _pump;

    // Wakes the writer thread; set only by whoever takes _asleep from 1 to 0, so at most once per sleep.
    // No spinning before it blocks: the writer has nothing to do until it is set.
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);

    // Completes (asynchronously, never on the writer thread) when the writer thread has written
    // everything and closed the target.
    private readonly TaskCompletionSource _pumped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Meter? _ownedMeter;

    private long _queued;
    private long _written;
    private long _failed;
    private int _queueFullReported;

    // 1 while the writer thread is asleep or about to be (it re-checks the queue after setting it).
    private int _asleep;

    // 1 when a flush, reopen or dispose is waiting: the writer does not linger after that wake-up.
    private int _urgent;

    // Touched only by the pump (and by the constructor before the pump starts).
    private Stream? _stream;
    private bool _failing;
    private bool _formatErrorReported;

    // After a failed write whose fragment could not be truncated away: the next write starts with a line feed.
    private bool _newLineFirst;

    /// <summary>
    /// Opens the target (creating a file with mode 0600 if absent) and starts the background writer.
    /// </summary>
    /// <param name="path">A file path, or <c>-</c> for standard output.</param>
    /// <param name="name">What the log is called in diagnostics ("access log").</param>
    /// <param name="format">Appends one record's line, without the LF.</param>
    /// <param name="logger">Where write failures are reported.</param>
    /// <param name="queueCapacity">The queue bound.</param>
    /// <param name="metrics">
    /// Where to publish the record counters: the instrument name prefix (<c>socks.accesslog</c>) and the
    /// factory of the "Socks.Core" meter (null: a meter this writer owns). No instruments when null.
    /// </param>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened for writing.</exception>
    public LineLogWriter(
        string path,
        string name,
        Action<T, LogLineBuilder> format,
        ILogger? logger,
        int queueCapacity = DefaultQueueCapacity,
        (string Prefix, IMeterFactory? Factory)? metrics = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 1);
        _path = path;
        _name = name;
        _isStdout = path == StandardOutputPath;
        _format = format;
        _logger = logger ?? NullLogger.Instance;
        _capacity = queueCapacity;

        // Opened here so that a bad path is reported at start-up, not with the first session.
        _stream = Open();
        _channel = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
        // Background: an undisposed writer must not keep the process alive; DisposeAsync is what
        // drains the queue.
        _pump = new Thread(Pump) { IsBackground = true, Name = $"socks {name} writer" };
        _pump.Start();
        if (metrics is var (prefix, factory))
        {
            _ownedMeter = PublishMetrics(prefix, factory);
        }
    }

    /// <summary>Records written and flushed to the target.</summary>
    public long WrittenRecords => Interlocked.Read(ref _written);

    /// <summary>Records that were not written: queue full, appended after disposal, or a write error.</summary>
    public long FailedRecords => Interlocked.Read(ref _failed);

    /// <summary>Records queued and not yet written.</summary>
    public long PendingRecords => Interlocked.Read(ref _queued);

    /// <summary>Queues a record; never blocks and never does I/O.</summary>
    public void Append(T record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Interlocked.Increment(ref _queued) > _capacity)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _failed);
            if (Interlocked.Exchange(ref _queueFullReported, 1) == 0)
            {
                Log.QueueFull(_logger, _name, _capacity);
            }

            return;
        }

        if (!TryEnqueue(new Entry(record, null, false), urgent: false))
        {
            // Disposed: the record is counted, not dropped silently.
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _failed);
        }
    }

    /// <summary>Completes when every record appended before the call has been written or counted as failed.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        return TryEnqueue(new Entry(null, done, false), urgent: true) ? done.Task : _pumped.Task;
    }

    /// <summary>
    /// Asks the writer to close and reopen its file by path (after logrotate renamed it). Records
    /// appended before the call go to the old file, later ones to the new file. No effect on stdout.
    /// </summary>
    public void Reopen() => _ = ReopenAsync();

    /// <summary>
    /// Like <see cref="Reopen"/>, and completes once the reopen was attempted, after the records
    /// appended before the call were written.
    /// </summary>
    /// <returns>True when the target is open afterwards (always for stdout); false when opening failed
    /// (reported by the writer) or the writer is disposed.</returns>
    public Task<bool> ReopenAsync()
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        return TryEnqueue(new Entry(null, done, true), urgent: true) ? done.Task : Task.FromResult(false);
    }

    /// <summary>Writes everything queued, then closes the target. Appends after this are counted as failed.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        Wake(urgent: true);
        await _pumped.Task.ConfigureAwait(false);
        _ownedMeter?.Dispose();
    }

    /// <summary>Publishes written, failed and pending as observable instruments named <paramref name="prefix"/>.records.*.</summary>
    /// <returns>The meter when this writer created (and so owns) it, otherwise null.</returns>
    private Meter? PublishMetrics(string prefix, IMeterFactory? factory)
    {
        // Same name and version as the engine's own instruments, so a factory hands back the same meter.
        var options = new MeterOptions(SocksMetrics.MeterName) { Version = typeof(LineLogWriter<T>).Assembly.GetName().Version?.ToString() };
        var owned = factory is null ? new Meter(options) : null;
        var meter = owned ?? factory!.Create(options);
        meter.CreateObservableCounter($"{prefix}.records.written", () => WrittenRecords, "{record}",
            $"Records written to the {_name}.");
        meter.CreateObservableCounter($"{prefix}.records.failed", () => FailedRecords, "{record}",
            $"Records that could not be written to the {_name}: queue full, write error, or after shutdown.");
        meter.CreateObservableUpDownCounter($"{prefix}.records.pending", () => PendingRecords, "{record}",
            $"Records queued for the {_name} and not yet written.");
        return owned;
    }

    /// <summary>The writer thread: runs <see cref="PumpQueue"/> and reports how it ended.</summary>
    private void Pump()
    {
        try
        {
            PumpQueue();
            _pumped.TrySetResult();
        }
        catch (Exception ex)
        {
            // Our bug: an exception escaping a thread would end the process, so it is handed to
            // DisposeAsync (and FlushAsync after disposal), which surface it to the caller.
            _pumped.TrySetException(ex);
        }
    }

    private void PumpQueue()
    {
        var batch = new LogLineBuilder(BatchBytes + 4096);
        var reader = _channel.Reader;
        while (true)
        {
            var count = 0;
            while (reader.TryRead(out var entry))
            {
                if (entry.Record is { } record)
                {
                    Interlocked.Decrement(ref _queued);
                    if (TryFormat(record, batch))
                    {
                        count++;
                    }

                    if (batch.Length >= BatchBytes)
                    {
                        WriteBatch(batch, count);
                        count = 0;
                    }
                }
                else if (entry.Reopen)
                {
                    WriteBatch(batch, count);
                    count = 0;
                    var reopened = ReopenNow();
                    entry.Done?.TrySetResult(reopened);
                }
                else if (entry.Done is { } flushed)
                {
                    WriteBatch(batch, count);
                    count = 0;
                    flushed.TrySetResult(true);
                }
            }

            WriteBatch(batch, count);
            if (reader.Completion.IsCompleted)
            {
                // Completed (disposed) and everything read.
                break;
            }

            Sleep(reader);
        }

        CloseStream();
    }

    /// <summary>Queues an entry and wakes the writer thread for it.</summary>
    /// <returns>False when the writer is disposed (nothing was queued).</returns>
    private bool TryEnqueue(Entry entry, bool urgent)
    {
        if (!_channel.Writer.TryWrite(entry))
        {
            return false;
        }

        Wake(urgent);
        return true;
    }

    /// <summary>Wakes the writer thread if it sleeps (after an entry was queued, or the queue completed).</summary>
    /// <param name="urgent">True for a flush, reopen or dispose: the writer does not linger for more records.</param>
    private void Wake(bool urgent)
    {
        if (urgent)
        {
            Volatile.Write(ref _urgent, 1);
        }

        // A full fence after the entry was queued: either this sees the writer asleep, or the writer, which set
        // _asleep before it looks at the queue again, sees the entry.
        if (Interlocked.CompareExchange(ref _asleep, 0, 1) == 1)
        {
            _wake.Set();
        }
    }

    /// <summary>
    /// Blocks the writer thread until an entry is queued or the queue completes; after a record's wake-up, lingers
    /// <see cref="LingerMilliseconds"/> so the records of a busy moment go out in one write.
    /// </summary>
    private void Sleep(ChannelReader<Entry> reader)
    {
        // Blocking is the point of this thread: it has nothing else to do, and it is not a pool thread.
        Interlocked.Exchange(ref _asleep, 1);
        if (reader.TryPeek(out _) || reader.Completion.IsCompleted)
        {
            // Queued (or completed) between the last read and _asleep: no one will wake this thread for it.
            Interlocked.Exchange(ref _asleep, 0);
            return;
        }

        _wake.Wait();
        _wake.Reset();
        if (Interlocked.Exchange(ref _urgent, 0) == 0)
        {
            Thread.Sleep(LingerMilliseconds);
        }
    }

    private bool TryFormat(T record, LogLineBuilder batch)
    {
        var mark = batch.Length;
        try
        {
            _format(record, batch);
            batch.AppendNewLine();
            return true;
        }
        catch (Exception ex)
        {
            // A formatter bug must not kill the writer and with it every later record: count the
            // record, report the bug once, and carry on.
            batch.Truncate(mark);
            Interlocked.Increment(ref _failed);
            if (!_formatErrorReported)
            {
                _formatErrorReported = true;
                Log.FormatFailed(_logger, _name, ex);
            }

            return false;
        }
    }

    private void WriteBatch(LogLineBuilder batch, int count)
    {
        if (count == 0)
        {
            batch.Clear();
            return;
        }

        long start = -1;
        var writing = false;
        try
        {
            _stream ??= Open();
            if (_stream.CanSeek)
            {
                // Append at the current end even if someone truncated the file (logrotate copytruncate)
                // or another writer appended to it.
                start = _stream.Seek(0, SeekOrigin.End);
            }

            writing = true;

            if (_newLineFirst)
            {
                // The target may end in part of a record: end that line, so the records below start lines.
                _stream.Write("\n"u8);
                _newLineFirst = false;
            }

            if (_isStdout)
            {
                WriteInAtomicChunks(_stream, batch.WrittenSpan);
            }
            else
            {
                _stream.Write(batch.WrittenSpan);
            }

            _stream.Flush();
            Interlocked.Add(ref _written, count);
            if (_failing)
            {
                _failing = false;
                Log.Recovered(_logger, _name, _path, FailedRecords);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Interlocked.Add(ref _failed, count);
            if (!_failing)
            {
                _failing = true;
                Log.WriteFailed(_logger, _name, _path, ex.Message);
            }

            if (writing)
            {
                // Part of the batch may have been written (a full disk takes what fits): take it away again.
                ForgetPartialWrite(start);
            }

            // Reopen before the next batch: the descriptor may be what is broken.
            CloseStream();
        }
        finally
        {
            batch.Clear();
        }
    }

    /// <summary>
    /// After a write that failed, having begun at <paramref name="start"/> (-1: a target that cannot seek),
    /// truncates the file back to that length; where that cannot be done, the next batch starts with a line feed.
    /// </summary>
    private void ForgetPartialWrite(long start)
    {
        if (start < 0 || _stream is not { CanSeek: true } stream)
        {
            // Standard output: what reached the pipe cannot be taken back.
            _newLineFirst = true;
            return;
        }

        try
        {
            if (stream.Length != start)
            {
                stream.SetLength(start);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            _newLineFirst = true;
        }
    }

    private static void WriteInAtomicChunks(Stream stream, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var take = data.Length;
            if (take > PipeAtomicBytes)
            {
                // End the chunk at a line end; a single line longer than PIPE_BUF goes out whole.
                var lastLf = data[..PipeAtomicBytes].LastIndexOf((byte)'\n');
                take = lastLf >= 0 ? lastLf + 1 : data.IndexOf((byte)'\n') + 1;
                if (take <= 0)
                {
                    take = data.Length;
                }
            }

            stream.Write(data[..take]);
            data = data[take..];
        }
    }

    private bool ReopenNow()
    {
        if (_isStdout)
        {
            return true;
        }

        CloseStream();
        try
        {
            _stream = Open();
            if (_failing)
            {
                _failing = false;
                Log.Recovered(_logger, _name, _path, FailedRecords);
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The next batch retries the open and counts its records if it fails again.
            if (!_failing)
            {
                _failing = true;
                Log.WriteFailed(_logger, _name, _path, ex.Message);
            }

            return false;
        }
    }

    private Stream Open()
    {
        if (_isStdout)
        {
            return Console.OpenStandardOutput();
        }

        var options = new FileStreamOptions
        {
            // Not FileMode.Append: .NET then refuses to seek before the original end, which breaks
            // appending after a copytruncate. Each batch seeks to the end instead.
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite | FileShare.Delete,

            // No FileStream buffer: each batch is one write of our own buffer, and a failed write
            // leaves nothing behind that Dispose would try to write again.
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            // rw-r-----: an access log names users and destinations; the credentials log holds passwords.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(_path, options);
    }

    private void CloseStream()
    {
        var stream = _stream;
        _stream = null;
        if (stream is null)
        {
            return;
        }

        try
        {
            stream.Dispose();
        }
        catch (IOException ex)
        {
            // Nothing is buffered in the stream (BufferSize = 0), so a failing close loses no record;
            // it is worth a debug line only.
            Log.CloseFailed(_logger, _name, _path, ex.Message);
        }
    }

    /// <summary>A record to write, or a flush (<paramref name="Done"/> set), or a reopen (<paramref name="Reopen"/>).</summary>
    private readonly record struct Entry(T? Record, TaskCompletionSource<bool>? Done, bool Reopen);
}
