using Microsoft.Extensions.Logging;
using Socks.Core.Logging;

namespace Socks.Core.Tests.Logging;

[CancelAfter(30_000)]
public class LineLogWriterTests
{
    private string _path = null!;

    [SetUp]
    public void SetUp() => _path = Path.Combine(Path.GetTempPath(), "socks-linelog-" + Guid.NewGuid().ToString("N") + ".log");

    [TearDown]
    public void TearDown() => File.Delete(_path);

    [Test]
    public async Task Append_QueueFull_CountsOverflowAsFailedAndLogsOnce()
    {
        // The formatter runs on the writer thread: holding it on the first record keeps the queue full.
        var formatting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        var logger = new CapturingLogger();
        var writer = new LineLogWriter<string>(_path, "test log", (s, line) =>
        {
            if (s == "first")
            {
                formatting.TrySetResult();
                release.Wait(TimeSpan.FromSeconds(30));
            }

            line.AppendAscii(s);
        }, logger, queueCapacity: 3);

        writer.Append("first");
        await formatting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 5; i++)
        {
            writer.Append("r" + i);
        }

        writer.FailedRecords.Should().Be(2);
        writer.PendingRecords.Should().Be(3);
        release.Set();
        await writer.DisposeAsync();

        (await File.ReadAllLinesAsync(_path)).Should().Equal("first", "r0", "r1", "r2");
        writer.WrittenRecords.Should().Be(4);
        logger.AtLevel(LogLevel.Error).Should().ContainSingle().Which.Message.Should().Contain("queue is full");
    }

    [Test]
    public async Task Append_FormatterThrows_CountsThatRecordAndWritesTheOthers()
    {
        var logger = new CapturingLogger();
        var writer = new LineLogWriter<string>(_path, "test log", (s, line) =>
        {
            line.AppendAscii("partial-");
            if (s.StartsWith("bad", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("formatter bug");
            }

            line.AppendAscii(s);
        }, logger);

        writer.Append("a");
        writer.Append("bad1");
        writer.Append("b");
        writer.Append("bad2");
        await writer.DisposeAsync();

        (await File.ReadAllLinesAsync(_path)).Should().Equal("partial-a", "partial-b");
        writer.FailedRecords.Should().Be(2);
        writer.WrittenRecords.Should().Be(2);
        logger.AtLevel(LogLevel.Error).Should().ContainSingle().Which.Exception.Should().BeOfType<InvalidOperationException>();
    }

    [Test]
    public async Task Append_FormatsAndWritesOnTheWritersOwnThread_NotOnAPoolThread()
    {
        // A slow disk then blocks that thread only, never one the sessions' relays need.
        var seen = new TaskCompletionSource<(bool Pool, bool Background, string? Name)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = new LineLogWriter<string>(_path, "test log", (s, line) =>
        {
            var thread = Thread.CurrentThread;
            seen.TrySetResult((thread.IsThreadPoolThread, thread.IsBackground, thread.Name));
            line.AppendAscii(s);
        }, logger: null);

        writer.Append("one");
        var (pool, background, name) = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await writer.DisposeAsync();

        pool.Should().BeFalse();
        background.Should().BeTrue("an undisposed writer must not keep the process alive");
        name.Should().Be("socks test log writer");
        (await File.ReadAllLinesAsync(_path)).Should().Equal("one");
    }

    [Test]
    public async Task Append_AfterTheWriterHasGoneIdle_IsWrittenWithoutAFlush()
    {
        // The writer sleeps once the queue is empty; the next record must wake it by itself, every time (no flush,
        // no dispose): each record below is appended only after the one before it was written.
        var formatted = new List<TaskCompletionSource>();
        for (var i = 0; i < 20; i++)
        {
            formatted.Add(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        var writer = new LineLogWriter<string>(_path, "test log", (s, line) =>
        {
            line.AppendAscii(s);
            formatted[int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)].TrySetResult();
        }, logger: null);

        for (var i = 0; i < formatted.Count; i++)
        {
            writer.Append(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await formatted[i].Task.WaitAsync(TimeSpan.FromSeconds(20));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (writer.WrittenRecords < i + 1 && DateTime.UtcNow < deadline)
            {
                // Formatted, now being written: the writer goes idle right after, which is what the next record meets.
                await Task.Yield();
            }

            writer.WrittenRecords.Should().Be(i + 1);
        }

        await writer.DisposeAsync();
        (await File.ReadAllLinesAsync(_path)).Should().Equal(Enumerable.Range(0, formatted.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task FlushAsync_AfterABurst_WritesEveryRecordInOrder()
    {
        var writer = new LineLogWriter<string>(_path, "test log", (s, line) => line.AppendAscii(s), null);
        var expected = new List<string>();
        for (var i = 0; i < 5000; i++)
        {
            var record = "record-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            expected.Add(record);
            writer.Append(record);
        }

        await writer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        writer.WrittenRecords.Should().Be(expected.Count, "a flush completes once everything appended before it is written");
        (await File.ReadAllLinesAsync(_path)).Should().Equal(expected);
        await writer.DisposeAsync();
    }

    [Test]
    public async Task FlushAsync_AfterDispose_CompletesAtOnce()
    {
        var writer = new LineLogWriter<string>(_path, "test log", (s, line) => line.AppendAscii(s), null);
        await writer.DisposeAsync();

        await writer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await writer.DisposeAsync();
    }

    [Test]
    public void AppendEscaped_EveryByteValue_YieldsPrintableAsciiOnly()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var line = new LogLineBuilder();

        line.AppendEscaped(all);

        line.WrittenSpan.ToArray().Should().OnlyContain(b => b >= 0x20 && b < 0x7F);
        var text = line.ToString();
        text.Should().StartWith("\\x00\\x01").And.Contain("\\t\\n\\x0B\\x0C\\r").And.Contain(" !\"#").And.Contain("[\\\\]").And.EndWith("~\\x7F\\x80" + string.Concat(Enumerable.Range(0x81, 0x7F).Select(i => $"\\x{i:X2}")));
    }
}
