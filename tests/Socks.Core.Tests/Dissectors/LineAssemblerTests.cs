using System.Buffers;
using System.Text;
using Socks.Core.Dissectors;

namespace Socks.Core.Tests.Dissectors;

public class LineAssemblerTests
{
    private const string Script = "USER alice\r\nPASS pw with spaces\r\n\r\nbare LF\nmid\rCR kept\r\n.\r\nno end yet";

    private static readonly string[] ScriptLines = ["USER alice", "PASS pw with spaces", "", "bare LF", "mid\rCR kept", "."];

    [Test]
    public void TryReadLine_WholeChunk_ReturnsEveryLineAndKeepsTheUnfinishedOne()
    {
        var assembler = new LineAssembler(512);

        var lines = ReadAll(ref assembler, Encoding.ASCII.GetBytes(Script));

        lines.Should().Equal(ScriptLines);
        assembler.BufferedLength.Should().Be("no end yet".Length);
    }

    [Test]
    public void TryReadLine_SplitAtEveryByte_ReturnsTheSameLines()
    {
        var bytes = Encoding.ASCII.GetBytes(Script);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var assembler = new LineAssembler(512);

            var lines = ReadAll(ref assembler, bytes[..split]);
            lines.AddRange(ReadAll(ref assembler, bytes[split..]));

            lines.Should().Equal(ScriptLines, $"split at byte {split}");
        }
    }

    [Test]
    public void TryReadLine_OneByteAtATime_ReturnsTheSameLines()
    {
        var assembler = new LineAssembler(512);
        var lines = new List<string>();

        foreach (var b in Encoding.ASCII.GetBytes(Script))
        {
            lines.AddRange(ReadAll(ref assembler, [b]));
        }

        lines.Should().Equal(ScriptLines);
    }

    [TestCase("line\r\n", "line")]
    [TestCase("line\n", "line")]
    [TestCase("line\r\r\n", "line\r")]
    [TestCase("\r\n", "")]
    [TestCase("\n", "")]
    public void TryReadLine_LineEnds_CrBeforeLfIsDroppedAndOnlyThat(string input, string expected)
    {
        var assembler = new LineAssembler(512);

        ReadAll(ref assembler, Encoding.ASCII.GetBytes(input)).Should().Equal(expected);
    }

    [Test]
    public void TryReadLine_BareCr_DoesNotEndALine()
    {
        var assembler = new LineAssembler(512);

        ReadAll(ref assembler, "a\rb\r"u8.ToArray()).Should().BeEmpty();
        ReadAll(ref assembler, "\n"u8.ToArray()).Should().Equal("a\rb");
    }

    [TestCase(8, "1234567\n", true)]
    [TestCase(8, "123456\r\n", true)]
    [TestCase(8, "1234567\r\n", false)]
    [TestCase(8, "12345678\n", false)]
    public void TryReadLine_AtTheLimit_LineEndIsCounted(int max, string input, bool accepted)
    {
        var bytes = Encoding.ASCII.GetBytes(input);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var assembler = new LineAssembler(max);
            ReadOnlySpan<byte> first = bytes.AsSpan(0, split);
            ReadOnlySpan<byte> second = bytes.AsSpan(split);

            var status = ReadUntilNotDone(ref assembler, ref first);
            if (status != OperationStatus.InvalidData)
            {
                status = ReadUntilNotDone(ref assembler, ref second);
            }

            (status != OperationStatus.InvalidData).Should().Be(accepted, $"split at byte {split}");
        }
    }

    [Test]
    public void TryReadLine_PartialLineTooLong_IsInvalidBeforeItIsBufferedAndDataIsUntouched()
    {
        var assembler = new LineAssembler(8);
        ReadOnlySpan<byte> data = "12345"u8;
        assembler.TryReadLine(ref data, out _).Should().Be(OperationStatus.NeedMoreData);

        // 5 kept + 3 more = 8 without a line end: even an LF next would make the line 9 bytes long.
        data = "678"u8;
        assembler.TryReadLine(ref data, out _).Should().Be(OperationStatus.InvalidData);

        data.ToArray().Should().Equal("678"u8.ToArray());
        assembler.BufferedLength.Should().Be(5);
    }

    [Test]
    public void TryReadLine_LongLineInOneChunk_IsInvalidEvenWithLinesAfterIt()
    {
        var assembler = new LineAssembler(16);
        ReadOnlySpan<byte> data = Encoding.ASCII.GetBytes(new string('x', 16) + "\r\nshort\r\n");

        assembler.TryReadLine(ref data, out _).Should().Be(OperationStatus.InvalidData);
    }

    [Test]
    public void TryReadLine_LineCompletedFromBuffer_BufferIsEmptiedForTheNextLine()
    {
        var assembler = new LineAssembler(512);

        ReadAll(ref assembler, "first ha"u8.ToArray()).Should().BeEmpty();
        ReadAll(ref assembler, "lf\r\nsecond\r\n"u8.ToArray()).Should().Equal("first half", "second");

        assembler.BufferedLength.Should().Be(0);
    }

    [Test]
    public void Resume_SkippedMidLine_DropsTheRestOfThatLine()
    {
        var assembler = new LineAssembler(512);
        ReadAll(ref assembler, "kept until "u8.ToArray()).Should().BeEmpty();

        assembler.Skip("skipped, no line end"u8);

        assembler.Resume().Should().BeTrue();
        assembler.BufferedLength.Should().Be(0);
        ReadAll(ref assembler, "rest of it\r\nnext\r\n"u8.ToArray()).Should().Equal("next");
    }

    [Test]
    public void Resume_SkippedUpToALineEnd_StartsAtOnce()
    {
        var assembler = new LineAssembler(512);
        assembler.Skip("a skipped line\r\n"u8);

        assembler.Resume().Should().BeTrue();
        ReadAll(ref assembler, "next\r\n"u8.ToArray()).Should().Equal("next");
        assembler.Resume().Should().BeFalse("nothing was skipped since");
    }

    [Test]
    public void Resume_NothingSkipped_KeepsThePartialLine()
    {
        var assembler = new LineAssembler(512);
        ReadAll(ref assembler, "par"u8.ToArray());

        assembler.Resume().Should().BeFalse();
        ReadAll(ref assembler, "tial\n"u8.ToArray()).Should().Equal("partial");
    }

    [Test]
    public void Release_PartialLine_IsForgotten()
    {
        var assembler = new LineAssembler(512);
        ReadAll(ref assembler, "half"u8.ToArray());

        assembler.Release();

        assembler.BufferedLength.Should().Be(0);
        ReadAll(ref assembler, "whole\n"u8.ToArray()).Should().Equal("whole");
    }

    [Test]
    public void Constructor_LimitBelowTwo_Throws()
    {
        var act = () => new LineAssembler(1);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static List<string> ReadAll(ref LineAssembler assembler, byte[] chunk)
    {
        var lines = new List<string>();
        ReadOnlySpan<byte> data = chunk;
        while (true)
        {
            var status = assembler.TryReadLine(ref data, out var line);
            if (status != OperationStatus.Done)
            {
                status.Should().Be(OperationStatus.NeedMoreData);
                data.IsEmpty.Should().BeTrue("NeedMoreData consumes the chunk");
                return lines;
            }

            lines.Add(Encoding.ASCII.GetString(line));
        }
    }

    private static OperationStatus ReadUntilNotDone(ref LineAssembler assembler, ref ReadOnlySpan<byte> data)
    {
        OperationStatus status;
        while ((status = assembler.TryReadLine(ref data, out _)) == OperationStatus.Done)
        {
        }

        return status;
    }
}
