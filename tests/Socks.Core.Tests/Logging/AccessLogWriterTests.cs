using Microsoft.Extensions.Logging;
using Socks.Core.Logging;

namespace Socks.Core.Tests.Logging;

[CancelAfter(30_000)]
public class AccessLogWriterTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "socks-accesslog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Test]
    public async Task FlushAsync_AfterAppends_FileHoldsOneFormattedLinePerRecord()
    {
        var path = Path.Combine(_dir, "access.log");
        await using var writer = new AccessLogWriter(path);
        var records = Enumerable.Range(0, 1000).Select(AccessLogFormatterTests.Sample).ToList();

        records.ForEach(writer.Append);
        await writer.FlushAsync();

        var lines = await File.ReadAllLinesAsync(path);
        lines.Should().Equal(records.Select(AccessLogFormatter.Format));
        writer.WrittenRecords.Should().Be(1000);
        writer.FailedRecords.Should().Be(0);
        writer.PendingRecords.Should().Be(0);
    }

    [Test]
    public async Task DisposeAsync_WithRecordsQueued_WritesThemAllBeforeClosing()
    {
        var path = Path.Combine(_dir, "access.log");
        var writer = new AccessLogWriter(path);

        for (var i = 0; i < 5000; i++)
        {
            writer.Append(AccessLogFormatterTests.Sample(i));
        }

        await writer.DisposeAsync();

        (await File.ReadAllLinesAsync(path)).Should().HaveCount(5000);
        writer.WrittenRecords.Should().Be(5000);
    }

    [Test]
    public async Task Append_AfterDispose_CountsRecordAsFailedWithoutThrowing()
    {
        var writer = new AccessLogWriter(Path.Combine(_dir, "access.log"));
        await writer.DisposeAsync();

        var append = () => writer.Append(AccessLogFormatterTests.Sample());

        append.Should().NotThrow();
        writer.FailedRecords.Should().Be(1);
        await writer.FlushAsync();
    }

    [Test]
    public async Task Constructor_ExistingFile_AppendsAfterItsContent()
    {
        var path = Path.Combine(_dir, "access.log");
        await File.WriteAllTextAsync(path, "earlier line\n");

        await using (var writer = new AccessLogWriter(path))
        {
            writer.Append(AccessLogFormatterTests.Sample());
        }

        (await File.ReadAllLinesAsync(path)).Should().Equal("earlier line", AccessLogFormatter.Format(AccessLogFormatterTests.Sample()));
    }

    [Test]
    public async Task Constructor_NewFile_CreatesItWithMode0600()
    {
        var path = Path.Combine(_dir, "access.log");
        await using var writer = new AccessLogWriter(path);

        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes only.");
        }
        else
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Test]
    public void Constructor_MissingDirectory_ThrowsAtOnce()
    {
        var act = () => new AccessLogWriter(Path.Combine(_dir, "missing", "access.log"));

        act.Should().Throw<DirectoryNotFoundException>();
    }

    [Test]
    public async Task Reopen_AfterLogrotateRename_NewRecordsGoToNewFileOldStayInRenamedOne()
    {
        var path = Path.Combine(_dir, "access.log");
        var rotated = path + ".1";
        await using var writer = new AccessLogWriter(path);
        for (var i = 0; i < 3; i++)
        {
            writer.Append(AccessLogFormatterTests.Sample(i));
        }

        await writer.FlushAsync();

        File.Move(path, rotated);
        writer.Append(AccessLogFormatterTests.Sample(3)); // between rename and SIGHUP: still the old file
        writer.Reopen();
        for (var i = 4; i < 8; i++)
        {
            writer.Append(AccessLogFormatterTests.Sample(i));
        }

        await writer.FlushAsync();

        (await File.ReadAllLinesAsync(rotated)).Should().Equal(Enumerable.Range(0, 4).Select(i => AccessLogFormatter.Format(AccessLogFormatterTests.Sample(i))));
        (await File.ReadAllLinesAsync(path)).Should().Equal(Enumerable.Range(4, 4).Select(i => AccessLogFormatter.Format(AccessLogFormatterTests.Sample(i))));
        writer.FailedRecords.Should().Be(0);
    }

    [Test]
    public async Task Append_TargetIsDevFull_CountsFailuresAndLogsOneError()
    {
        if (!File.Exists("/dev/full"))
        {
            Assert.Ignore("/dev/full is not available.");
        }

        var logger = new CapturingLogger();
        await using var writer = new AccessLogWriter("/dev/full", logger);

        for (var batch = 0; batch < 3; batch++)
        {
            for (var i = 0; i < 10; i++)
            {
                writer.Append(AccessLogFormatterTests.Sample(i));
            }

            await writer.FlushAsync();
        }

        writer.FailedRecords.Should().Be(30);
        writer.WrittenRecords.Should().Be(0);
        logger.AtLevel(LogLevel.Error).Should().ContainSingle()
            .Which.Message.Should().Contain("access log").And.Contain("/dev/full");
    }

    [Test]
    public async Task Reopen_DirectoryRemovedThenRestored_CountsFailuresThenRecovers()
    {
        var logDir = Path.Combine(_dir, "logs");
        Directory.CreateDirectory(logDir);
        var path = Path.Combine(logDir, "access.log");
        var logger = new CapturingLogger();
        await using var writer = new AccessLogWriter(path, logger);

        Directory.Delete(logDir, recursive: true);
        writer.Reopen();
        for (var i = 0; i < 3; i++)
        {
            writer.Append(AccessLogFormatterTests.Sample(i));
        }

        await writer.FlushAsync();
        writer.Append(AccessLogFormatterTests.Sample(3));
        await writer.FlushAsync();

        writer.FailedRecords.Should().Be(4);
        logger.AtLevel(LogLevel.Error).Should().ContainSingle();

        Directory.CreateDirectory(logDir);
        writer.Reopen();
        writer.Append(AccessLogFormatterTests.Sample(4));
        writer.Append(AccessLogFormatterTests.Sample(5));
        await writer.FlushAsync();

        (await File.ReadAllLinesAsync(path)).Should().HaveCount(2);
        writer.WrittenRecords.Should().Be(2);
        writer.FailedRecords.Should().Be(4);
        logger.AtLevel(LogLevel.Error).Should().ContainSingle();
        logger.AtLevel(LogLevel.Information).Should().ContainSingle().Which.Message.Should().Contain("4 records were not written");
    }

    [Test]
    public async Task Append_FileDeletedWithoutReopen_KeepsWritingToOpenDescriptor()
    {
        // What happens between logrotate's rename and the SIGHUP: nothing is lost, nothing fails.
        var path = Path.Combine(_dir, "access.log");
        await using var writer = new AccessLogWriter(path);
        File.Delete(path);

        writer.Append(AccessLogFormatterTests.Sample());
        await writer.FlushAsync();

        writer.WrittenRecords.Should().Be(1);
        File.Exists(path).Should().BeFalse();
    }

    [Test]
    public async Task Append_FileTruncatedByCopytruncate_WritesAtNewEnd()
    {
        var path = Path.Combine(_dir, "access.log");
        await using var writer = new AccessLogWriter(path);
        writer.Append(AccessLogFormatterTests.Sample(0));
        await writer.FlushAsync();

        await using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            truncate.SetLength(0);
        }

        writer.Append(AccessLogFormatterTests.Sample(1));
        await writer.FlushAsync();

        (await File.ReadAllBytesAsync(path)).Should().NotContain(0, "no hole of NULs is left where the old content was");
        (await File.ReadAllLinesAsync(path)).Should().Equal(AccessLogFormatter.Format(AccessLogFormatterTests.Sample(1)));
    }
}
