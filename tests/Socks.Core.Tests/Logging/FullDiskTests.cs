using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using Socks.Core.Logging;

namespace Socks.Core.Tests.Logging;

/// <summary>
/// A real full file system (a 16 KiB tmpfs): a write that the disk takes only in part leaves no half record in the
/// file, so the next record never gets glued to one (issue 18, item 3).
/// </summary>
[SupportedOSPlatform("linux")]
[CancelAfter(30_000)]
public class FullDiskTests
{
    private SmallTmpfs _disk = null!;

    [SetUp]
    public void SetUp() => _disk = SmallTmpfs.Mount();

    [TearDown]
    public void TearDown() => _disk.Dispose();

    [Test]
    public async Task Append_DiskFillsMidBatch_PartialBatchTruncatedAndLaterRecordsStartLines()
    {
        var path = Path.Combine(_disk.Path, "access.log");
        var logger = new CapturingLogger();
        await using var writer = new AccessLogWriter(path, logger);
        var before = Enumerable.Range(0, 3).Select(AccessLogFormatterTests.Sample).ToList();
        before.ForEach(writer.Append);
        await writer.FlushAsync();

        // Every free page is taken; only the rest of the log's last page is left, and one batch of 100 records
        // (about 11 KB) does not fit in it: the kernel takes what fits, then answers ENOSPC.
        _disk.Fill();
        var lengthBefore = new FileInfo(path).Length;
        for (var i = 100; i < 200; i++)
        {
            writer.Append(AccessLogFormatterTests.Sample(i));
        }

        await writer.FlushAsync();

        writer.FailedRecords.Should().Be(100);
        new FileInfo(path).Length.Should().Be(lengthBefore, "the part of the batch that fitted was truncated away");
        logger.AtLevel(LogLevel.Error).Should().ContainSingle().Which.Message.Should().Contain(path);

        _disk.FreeSpace();
        var after = Enumerable.Range(300, 3).Select(AccessLogFormatterTests.Sample).ToList();
        after.ForEach(writer.Append);
        await writer.FlushAsync();

        (await File.ReadAllTextAsync(path)).Should().Be(string.Concat(before.Concat(after).Select(r => AccessLogFormatter.Format(r) + "\n")));
        writer.WrittenRecords.Should().Be(6);
    }

    [Test]
    public async Task Append_DiskStaysFullOverSeveralBatches_FileNeverHoldsAFragment()
    {
        var path = Path.Combine(_disk.Path, "access.log");
        await using var writer = new AccessLogWriter(path);
        writer.Append(AccessLogFormatterTests.Sample(0));
        await writer.FlushAsync();
        _disk.Fill();

        // Small batches: the first ones fit in the last page, one fits only in part, the rest find no room at all.
        var written = 1L;
        for (var batch = 0; batch < 60; batch++)
        {
            writer.Append(AccessLogFormatterTests.Sample(batch + 1));
            writer.Append(AccessLogFormatterTests.Sample(batch + 1000));
            await writer.FlushAsync();
            written = writer.WrittenRecords;
            var text = await File.ReadAllTextAsync(path);
            text.Should().EndWith("\n", "after batch {0} the file ends with a whole record", batch);
            text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount((int)written);
        }

        writer.FailedRecords.Should().BeGreaterThan(0, "the disk was full");
        _disk.FreeSpace();
        writer.Append(AccessLogFormatterTests.Sample(5000));
        await writer.FlushAsync();

        var lines = await File.ReadAllLinesAsync(path);
        lines.Should().HaveCount((int)written + 1);
        lines.Should().AllSatisfy(line => LogFile.ShouldBeWellFormedAccessRecord(line.Split('\t')));
        lines[^1].Should().Be(AccessLogFormatter.Format(AccessLogFormatterTests.Sample(5000)));
    }
}
