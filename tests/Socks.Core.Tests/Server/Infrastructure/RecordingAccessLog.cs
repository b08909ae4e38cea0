using Socks.Core.AccessLog;

namespace Socks.Core.Tests.Server.Infrastructure;

/// <summary>An access-log sink that keeps every record and lets a test wait for the Nth one.</summary>
internal sealed class RecordingAccessLog : IAccessLogSink
{
    private readonly Lock _lock = new();
    private readonly List<AccessLogRecord> _records = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

    public IReadOnlyList<AccessLogRecord> Records
    {
        get
        {
            lock (_lock)
            {
                return [.. _records];
            }
        }
    }

    public void Append(AccessLogRecord record)
    {
        lock (_lock)
        {
            _records.Add(record);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_records.Count >= _waiters[i].Count)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> records were appended (sessions fully ended).</summary>
    public Task WaitForCountAsync(int count)
    {
        lock (_lock)
        {
            if (_records.Count >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task;
        }
    }

    /// <summary>Waits for the first record and returns it.</summary>
    public async Task<AccessLogRecord> SingleAsync()
    {
        await WaitForCountAsync(1).WaitAsync(TestTimeouts.Generous);
        var records = Records;
        records.Should().HaveCount(1);
        return records[0];
    }
}
