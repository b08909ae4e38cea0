using System.Buffers;
using static Mcp.Protocol.Tests.Support.Sequences;

namespace Mcp.Protocol.Tests;

public class McpRequestReaderTests
{
    private static byte[] NextFrame => Hex("01 04 0000");

    public static IEnumerable<TestCaseData> ValidRequests()
    {
        yield return new TestCaseData(Vectors.GetMetricsRequest, McpCommand.GetMetrics, "", "").SetName("GET_METRICS");
        yield return new TestCaseData(Vectors.ListUsersRequest, McpCommand.ListUsers, "", "").SetName("LIST_USERS");
        yield return new TestCaseData(Vectors.ToggleDissectorRequest, McpCommand.ToggleDissector, "", "").SetName("TOGGLE_DISECTOR");
        yield return new TestCaseData(Vectors.AddUserAliceRequest, McpCommand.AddUser, "alice", "s3cret").SetName("ADD_USER alice");
        yield return new TestCaseData(Vectors.RemoveUserBobRequest, McpCommand.RemoveUser, "bob", "").SetName("REMOVE_USER bob");
        yield return new TestCaseData(Vectors.AddUserMaxRequest, McpCommand.AddUser, new string('u', 255), new string('p', 255))
            .SetName("ADD_USER 255-byte name and password");
        yield return new TestCaseData(Hex("01 03 0002 01 78"), McpCommand.RemoveUser, "x", "").SetName("REMOVE_USER 1-byte name");
    }

    [TestCaseSource(nameof(ValidRequests))]
    public void TryRead_ValidFrame_ReturnsDoneAndStopsAtFrameEnd(byte[] frame, McpCommand command, string username, string password)
    {
        var buffer = Single([.. frame, .. NextFrame]);

        var status = McpRequestReader.TryRead(ref buffer, out var request, out var error);

        status.Should().Be(OperationStatus.Done);
        error.Reason.Should().Be(McpFrameErrorReason.None);
        request.Command.Should().Be(command);
        request.IsKnownCommand.Should().BeTrue();
        request.Username.ToArray().Should().Equal(System.Text.Encoding.UTF8.GetBytes(username));
        request.Password.ToArray().Should().Equal(System.Text.Encoding.UTF8.GetBytes(password));
        buffer.ToArray().Should().Equal(NextFrame);
    }

    [TestCaseSource(nameof(ValidRequests))]
    public void TryRead_EveryStrictPrefix_ReturnsNeedMoreDataAndConsumesNothing(byte[] frame, McpCommand command, string username, string password)
    {
        for (var length = 0; length < frame.Length; length++)
        {
            var buffer = Split(frame[..length], length / 2);
            var before = buffer;

            var status = McpRequestReader.TryRead(ref buffer, out _, out _);

            status.Should().Be(OperationStatus.NeedMoreData, $"only {length} of {frame.Length} bytes arrived");
            buffer.Should().Be(before, "NeedMoreData must leave the buffer untouched");
        }
    }

    [TestCaseSource(nameof(ValidRequests))]
    public void TryRead_FrameSplitAtEveryPosition_ParsesIdentically(byte[] frame, McpCommand command, string username, string password)
    {
        byte[] input = [.. frame, .. NextFrame];
        for (var cut = 1; cut < input.Length; cut++)
        {
            var buffer = Split(input, cut);

            var status = McpRequestReader.TryRead(ref buffer, out var request, out _);

            status.Should().Be(OperationStatus.Done, $"split at {cut}");
            request.Command.Should().Be(command);
            request.Username.ToArray().Should().Equal(System.Text.Encoding.UTF8.GetBytes(username));
            request.Password.ToArray().Should().Equal(System.Text.Encoding.UTF8.GetBytes(password));
            buffer.ToArray().Should().Equal(NextFrame, $"split at {cut}");
        }
    }

    [TestCaseSource(nameof(ValidRequests))]
    public void TryRead_OneBytePerSegment_ParsesIdentically(byte[] frame, McpCommand command, string username, string password)
    {
        var buffer = OneBytePerSegmentWithEmptySegments([.. frame, .. NextFrame]);

        var status = McpRequestReader.TryRead(ref buffer, out var request, out _);

        status.Should().Be(OperationStatus.Done);
        request.Command.Should().Be(command);
        request.Username.ToArray().Should().Equal(System.Text.Encoding.UTF8.GetBytes(username));
        request.Password.ToArray().Should().Equal(System.Text.Encoding.UTF8.GetBytes(password));
        buffer.ToArray().Should().Equal(NextFrame);
    }

    [Test]
    public void TryRead_SeveralFramesInOneBuffer_ReadsThemInOrder()
    {
        byte[] input =
        [
            .. Vectors.GetMetricsRequest, .. Vectors.AddUserAliceRequest, .. Vectors.ListUsersRequest,
            .. Vectors.RemoveUserBobRequest, .. Vectors.ToggleDissectorRequest,
        ];
        var buffer = Split(input, 3, 9, 20);
        var commands = new List<McpCommand>();

        while (McpRequestReader.TryRead(ref buffer, out var request, out _) == OperationStatus.Done)
        {
            commands.Add(request.Command);
        }

        commands.Should().Equal(
            McpCommand.GetMetrics, McpCommand.AddUser, McpCommand.ListUsers, McpCommand.RemoveUser, McpCommand.ToggleDissector);
        buffer.IsEmpty.Should().BeTrue();
    }

    [Test]
    public void TryRead_EmptyBuffer_ReturnsNeedMoreData()
    {
        var buffer = ReadOnlySequence<byte>.Empty;

        McpRequestReader.TryRead(ref buffer, out _, out _).Should().Be(OperationStatus.NeedMoreData);
    }

    [Test]
    public void TryRead_NeedMoreData_DoesNotAllocate()
    {
        var frame = Vectors.AddUserAliceRequest;
        var prefixes = Enumerable.Range(0, frame.Length).Select(n => Split(frame[..n], n / 2)).ToArray();
        foreach (var prefix in prefixes)
        {
            var warmUp = prefix;
            McpRequestReader.TryRead(ref warmUp, out _, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var prefix in prefixes)
        {
            var buffer = prefix;
            McpRequestReader.TryRead(ref buffer, out _, out _);
        }

        GC.GetAllocatedBytesForCurrentThread().Should().Be(before);
    }

    [Test]
    public void TryRead_UnknownCommand_ReturnsDoneWithRawCommandAndSkipsPayload()
    {
        var buffer = Single([.. Hex("01 2A 0003 AABBCC"), .. NextFrame]);

        var status = McpRequestReader.TryRead(ref buffer, out var request, out var error);

        status.Should().Be(OperationStatus.Done);
        error.Reason.Should().Be(McpFrameErrorReason.None);
        ((byte)request.Command).Should().Be(0x2A);
        request.IsKnownCommand.Should().BeFalse();
        request.Username.IsEmpty.Should().BeTrue();
        buffer.ToArray().Should().Equal(NextFrame);
    }

    [Test]
    public void TryRead_UnknownCommandWithPartialPayload_ReturnsNeedMoreDataAndConsumesNothing()
    {
        var buffer = Single(Hex("01 05 0003 AABB"));
        var before = buffer;

        McpRequestReader.TryRead(ref buffer, out _, out _).Should().Be(OperationStatus.NeedMoreData);
        buffer.Should().Be(before);
    }

    [TestCase("02", TestName = "VER 0x02 after one byte")]
    [TestCase("00 00 0000", TestName = "VER 0x00")]
    [TestCase("05 01 00", TestName = "VER 0x05 (SOCKS5 greeting)")]
    [TestCase("FF 00 0000", TestName = "VER 0xFF")]
    public void TryRead_UnsupportedVersion_ReturnsInvalidDataWithoutConsuming(string hex)
    {
        var buffer = Single(Hex(hex));
        var before = buffer;

        var status = McpRequestReader.TryRead(ref buffer, out _, out var error);

        status.Should().Be(OperationStatus.InvalidData);
        error.Reason.Should().Be(McpFrameErrorReason.UnsupportedVersion);
        error.CanSkipFrame.Should().BeFalse();
        error.FrameLength.Should().Be(0);
        error.Message.Should().Contain("VER must be 0x01");
        buffer.Should().Be(before);
    }

    // frame: a complete invalid frame; detectAt: the shortest prefix that is already known to be invalid.
    [TestCase("01 00 0001 FF", 4, McpFrameErrorReason.InvalidLength, TestName = "GET_METRICS with LEN 1")]
    [TestCase("01 00 0005 0102030405", 4, McpFrameErrorReason.InvalidLength, TestName = "GET_METRICS with LEN 5")]
    [TestCase("01 01 0002 0000", 4, McpFrameErrorReason.InvalidLength, TestName = "LIST_USERS with LEN 2")]
    [TestCase("01 04 0001 01", 4, McpFrameErrorReason.InvalidLength, TestName = "TOGGLE_DISECTOR with LEN 1")]
    [TestCase("01 03 0000", 4, McpFrameErrorReason.InvalidLength, TestName = "REMOVE_USER with LEN 0")]
    [TestCase("01 03 0001 00", 5, McpFrameErrorReason.EmptyUsername, TestName = "REMOVE_USER with ULEN 0")]
    [TestCase("01 03 0003 05 6162", 5, McpFrameErrorReason.UsernameOverrunsPayload, TestName = "REMOVE_USER with ULEN past LEN")]
    [TestCase("01 03 0004 01 61 6263", 5, McpFrameErrorReason.TrailingBytes, TestName = "REMOVE_USER with trailing bytes")]
    [TestCase("01 02 0000", 4, McpFrameErrorReason.InvalidLength, TestName = "ADD_USER with LEN 0")]
    [TestCase("01 02 0004 00 61 01 62", 5, McpFrameErrorReason.EmptyUsername, TestName = "ADD_USER with ULEN 0")]
    [TestCase("01 02 0004 05 61 62 63", 5, McpFrameErrorReason.UsernameOverrunsPayload, TestName = "ADD_USER with ULEN past LEN")]
    [TestCase("01 02 0001 01", 5, McpFrameErrorReason.UsernameOverrunsPayload, TestName = "ADD_USER with LEN 1")]
    [TestCase("01 02 0002 01 61", 5, McpFrameErrorReason.MissingPasswordLength, TestName = "ADD_USER without PLEN")]
    [TestCase("01 02 0004 01 61 00 62", 7, McpFrameErrorReason.EmptyPassword, TestName = "ADD_USER with PLEN 0")]
    [TestCase("01 02 0004 01 61 02 62", 7, McpFrameErrorReason.PasswordOverrunsPayload, TestName = "ADD_USER with PLEN past LEN")]
    [TestCase("01 02 0005 01 61 01 62 63", 7, McpFrameErrorReason.TrailingBytes, TestName = "ADD_USER with trailing bytes")]
    public void TryRead_MalformedKnownCommand_ReturnsInvalidDataAndConsumesTheFrame(string hex, int detectAt, McpFrameErrorReason reason)
    {
        var frame = Hex(hex);
        var buffer = Split([.. frame, .. NextFrame], detectAt);

        var status = McpRequestReader.TryRead(ref buffer, out _, out var error);

        status.Should().Be(OperationStatus.InvalidData);
        error.Reason.Should().Be(reason);
        error.CanSkipFrame.Should().BeTrue();
        error.FrameLength.Should().Be(frame.Length);
        error.RemainingBytes.Should().Be(0);
        error.Message.Should().NotBeNullOrEmpty();
        buffer.ToArray().Should().Equal(NextFrame, "the reader must consume exactly the malformed frame");
    }

    [TestCase("01 00 0001 FF", 4, McpFrameErrorReason.InvalidLength, TestName = "GET_METRICS with LEN 1")]
    [TestCase("01 03 0101", 4, McpFrameErrorReason.InvalidLength, TestName = "REMOVE_USER with LEN 257")]
    [TestCase("01 02 0201", 4, McpFrameErrorReason.InvalidLength, TestName = "ADD_USER with LEN 513")]
    [TestCase("01 02 FFFF", 4, McpFrameErrorReason.InvalidLength, TestName = "ADD_USER with LEN 65535")]
    [TestCase("01 03 0001 00", 5, McpFrameErrorReason.EmptyUsername, TestName = "REMOVE_USER with ULEN 0")]
    [TestCase("01 02 0010 00", 5, McpFrameErrorReason.EmptyUsername, TestName = "ADD_USER with ULEN 0")]
    [TestCase("01 02 0010 01 61 00", 7, McpFrameErrorReason.EmptyPassword, TestName = "ADD_USER with PLEN 0")]
    [TestCase("01 02 0010 01 61 01", 7, McpFrameErrorReason.TrailingBytes, TestName = "ADD_USER with LEN 16 for 4 bytes of fields")]
    public void TryRead_MalformedPrefix_IsRejectedBeforeThePayloadArrives(string hex, int detectAt, McpFrameErrorReason reason)
    {
        var prefix = Hex(hex);
        var announced = McpConstants.HeaderLength + ((prefix[2] << 8) | prefix[3]);
        for (var length = 1; length < detectAt; length++)
        {
            var partial = Single(prefix[..length]);
            McpRequestReader.TryRead(ref partial, out _, out _).Should().Be(OperationStatus.NeedMoreData, $"{length} bytes");
        }

        var buffer = Split(prefix[..detectAt], detectAt / 2);

        var status = McpRequestReader.TryRead(ref buffer, out _, out var error);

        status.Should().Be(OperationStatus.InvalidData);
        error.Reason.Should().Be(reason);
        error.FrameLength.Should().Be(announced);
        error.RemainingBytes.Should().Be(announced - detectAt);
        buffer.IsEmpty.Should().BeTrue("the part of the frame that arrived is consumed");
    }

    [Test]
    public void TrySkip_RestOfRejectedFrameArrivesLater_NextFrameReadsNormally()
    {
        // GET_METRICS announcing a 5-byte payload, rejected from its header alone.
        var buffer = Single(Hex("01 00 0005"));
        McpRequestReader.TryRead(ref buffer, out _, out var error).Should().Be(OperationStatus.InvalidData);
        var remaining = error.RemainingBytes;
        remaining.Should().Be(5);

        var second = Split([.. Hex("0102"), .. Hex("030405"), .. Vectors.RemoveUserBobRequest], 2, 5);
        McpRequestReader.TrySkip(ref second, ref remaining).Should().BeTrue();
        remaining.Should().Be(0);
        McpRequestReader.TryRead(ref second, out var request, out _).Should().Be(OperationStatus.Done);

        request.Command.Should().Be(McpCommand.RemoveUser);
        request.Username.ToArray().Should().Equal(Vectors.Bob);
    }

    [Test]
    public void TrySkip_PartOfTheRestArrived_ConsumesItAndReportsWhatIsLeft()
    {
        var buffer = Single(Hex("0102"));
        var remaining = 5;

        McpRequestReader.TrySkip(ref buffer, ref remaining).Should().BeFalse();

        remaining.Should().Be(3);
        buffer.IsEmpty.Should().BeTrue();
    }

    [Test]
    public void TrySkip_NegativeCount_ThrowsArgumentOutOfRange()
    {
        var buffer = Single(Hex("01"));
        var remaining = -1;

        var act = () => McpRequestReader.TrySkip(ref buffer, ref remaining);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void TryRead_MalformedAddUser_MessageDoesNotContainCredentials()
    {
        // ADD_USER "secretname" with PLEN past LEN.
        var buffer = Single(Hex("01 02 000D 0A 7365637265746E616D65 09 7A"));

        McpRequestReader.TryRead(ref buffer, out _, out var error).Should().Be(OperationStatus.InvalidData);

        error.Reason.Should().Be(McpFrameErrorReason.PasswordOverrunsPayload);
        error.Message.Should().NotContain("secretname");
        error.ToString().Should().NotContain("secretname");
    }
}
