using System.Buffers;
using static Mcp.Protocol.Tests.Support.Sequences;

namespace Mcp.Protocol.Tests;

public class McpResponseReaderTests
{
    private static byte[] NextFrame => Hex("01 00 0000");

    public static IEnumerable<TestCaseData> ValidResponses()
    {
        yield return new TestCaseData(Vectors.MetricsResponse, McpCommand.GetMetrics).SetName("GET_METRICS OK");
        yield return new TestCaseData(Vectors.UsersResponse, McpCommand.ListUsers).SetName("LIST_USERS alice bob");
        yield return new TestCaseData(Vectors.NoUsersResponse, McpCommand.ListUsers).SetName("LIST_USERS empty");
        yield return new TestCaseData(Vectors.OkEmptyResponse, McpCommand.AddUser).SetName("ADD_USER OK");
        yield return new TestCaseData(Vectors.OkEmptyResponse, McpCommand.RemoveUser).SetName("REMOVE_USER OK");
        yield return new TestCaseData(Vectors.DissectorOnResponse, McpCommand.ToggleDissector).SetName("TOGGLE_DISECTOR on");
        yield return new TestCaseData(Vectors.DissectorOffResponse, McpCommand.ToggleDissector).SetName("TOGGLE_DISECTOR off");
        yield return new TestCaseData(Vectors.UserExistsResponse, McpCommand.AddUser).SetName("ADD_USER USER_EXISTS");
        yield return new TestCaseData(Vectors.UserLimitResponse, McpCommand.AddUser).SetName("ADD_USER USER_LIMIT");
        yield return new TestCaseData(Vectors.UserNotFoundResponse, McpCommand.RemoveUser).SetName("REMOVE_USER USER_NOT_FOUND");
        yield return new TestCaseData(Vectors.ErrorResponse, McpCommand.GetMetrics).SetName("GET_METRICS ERROR");
        yield return new TestCaseData(Vectors.CommandNotSupportedResponse, McpCommand.ToggleDissector).SetName("TOGGLE_DISECTOR CMD_NOT_SUPPORTED");
    }

    [Test]
    public void TryRead_MetricsResponse_ReturnsCountersInMemoOrder()
    {
        var buffer = Single(Vectors.MetricsResponse);

        var status = McpResponseReader.TryRead(ref buffer, McpCommand.GetMetrics, out var response, out _);

        status.Should().Be(OperationStatus.Done);
        response.Command.Should().Be(McpCommand.GetMetrics);
        response.Status.Should().Be(McpStatus.Ok);
        response.IsOk.Should().BeTrue();
        response.Metrics.Should().Be(Vectors.Metrics);
        buffer.IsEmpty.Should().BeTrue();
    }

    [Test]
    public void TryRead_UsersResponse_ReturnsNamesInWireOrder()
    {
        var buffer = Single(Vectors.UsersResponse);

        McpResponseReader.TryRead(ref buffer, McpCommand.ListUsers, out var response, out _).Should().Be(OperationStatus.Done);

        response.Users.Select(u => u.ToArray()).Should().BeEquivalentTo(
            new[] { Vectors.Alice, Vectors.Bob }, options => options.WithStrictOrdering());
    }

    [Test]
    public void TryRead_EmptyUserList_ReturnsNoUsers()
    {
        var buffer = Single(Vectors.NoUsersResponse);

        McpResponseReader.TryRead(ref buffer, McpCommand.ListUsers, out var response, out _).Should().Be(OperationStatus.Done);

        response.Users.Should().BeEmpty();
    }

    [Test]
    public void TryRead_MaximalUserList_ReturnsAll255Names()
    {
        // COUNT 255, each entry ULEN 255 + 255 bytes: LEN = 1 + 255 * 256 = 65281 = 0xFF01.
        var entry = (byte[])[0xFF, .. Enumerable.Repeat((byte)0x61, 255)];
        byte[] frame = [.. Hex("01 00 FF01 FF"), .. Enumerable.Range(0, 255).SelectMany(_ => entry)];
        var buffer = Single(frame);

        McpResponseReader.TryRead(ref buffer, McpCommand.ListUsers, out var response, out _).Should().Be(OperationStatus.Done);

        response.Users.Should().HaveCount(255);
        response.Users.Should().OnlyContain(u => u.Length == 255);
        buffer.IsEmpty.Should().BeTrue();
    }

    [TestCase("01 00 0001 01", true)]
    [TestCase("01 00 0001 00", false)]
    public void TryRead_DissectorResponse_ReturnsState(string hex, bool enabled)
    {
        var buffer = Single(Hex(hex));

        McpResponseReader.TryRead(ref buffer, McpCommand.ToggleDissector, out var response, out _).Should().Be(OperationStatus.Done);

        response.DissectorEnabled.Should().Be(enabled);
    }

    [TestCase("01 01 0000", McpStatus.Error)]
    [TestCase("01 02 0000", McpStatus.CommandNotSupported)]
    [TestCase("01 03 0000", McpStatus.UserNotFound)]
    [TestCase("01 04 0000", McpStatus.UserExists)]
    [TestCase("01 05 0000", McpStatus.UserLimit)]
    public void TryRead_NonOkStatus_ReturnsStatusWithoutPayload(string hex, McpStatus expected)
    {
        var buffer = Single([.. Hex(hex), .. NextFrame]);

        var status = McpResponseReader.TryRead(ref buffer, McpCommand.GetMetrics, out var response, out _);

        status.Should().Be(OperationStatus.Done);
        response.Status.Should().Be(expected);
        response.IsOk.Should().BeFalse();
        response.Metrics.Should().Be(default(McpMetrics));
        buffer.ToArray().Should().Equal(NextFrame);
    }

    [Test]
    public void TryRead_NonOkStatusWithPayload_SkipsThePayload()
    {
        // The memo gives an error payload no meaning; a foreign server might send one anyway.
        var buffer = Single([.. Hex("01 01 0003 414243"), .. NextFrame]);

        var status = McpResponseReader.TryRead(ref buffer, McpCommand.ListUsers, out var response, out _);

        status.Should().Be(OperationStatus.Done);
        response.Status.Should().Be(McpStatus.Error);
        response.Users.Should().BeEmpty();
        buffer.ToArray().Should().Equal(NextFrame);
    }

    [Test]
    public void TryRead_UndefinedStatus_ReturnsItAsIs()
    {
        var buffer = Single(Hex("01 2A 0000"));

        McpResponseReader.TryRead(ref buffer, McpCommand.AddUser, out var response, out _).Should().Be(OperationStatus.Done);

        ((byte)response.Status).Should().Be(0x2A);
    }

    [Test]
    public void TryRead_OkForUnknownCommand_SkipsPayload()
    {
        var buffer = Single([.. Hex("01 00 0002 0102"), .. NextFrame]);

        McpResponseReader.TryRead(ref buffer, (McpCommand)0x2A, out var response, out _).Should().Be(OperationStatus.Done);

        response.Status.Should().Be(McpStatus.Ok);
        ((byte)response.Command).Should().Be(0x2A);
        buffer.ToArray().Should().Equal(NextFrame);
    }

    [TestCaseSource(nameof(ValidResponses))]
    public void TryRead_EveryStrictPrefix_ReturnsNeedMoreDataAndConsumesNothing(byte[] frame, McpCommand command)
    {
        for (var length = 0; length < frame.Length; length++)
        {
            var buffer = Split(frame[..length], length / 2);
            var before = buffer;

            var status = McpResponseReader.TryRead(ref buffer, command, out _, out _);

            status.Should().Be(OperationStatus.NeedMoreData, $"only {length} of {frame.Length} bytes arrived");
            buffer.Should().Be(before);
        }
    }

    [TestCaseSource(nameof(ValidResponses))]
    public void TryRead_FrameSplitAtEveryPosition_ParsesIdentically(byte[] frame, McpCommand command)
    {
        var whole = Single(frame);
        McpResponseReader.TryRead(ref whole, command, out var expected, out _).Should().Be(OperationStatus.Done);
        byte[] input = [.. frame, .. NextFrame];

        for (var cut = 1; cut < input.Length; cut++)
        {
            var buffer = Split(input, cut);

            McpResponseReader.TryRead(ref buffer, command, out var response, out _).Should().Be(OperationStatus.Done, $"split at {cut}");

            ResponsesShouldMatch(response, expected);
            buffer.ToArray().Should().Equal(NextFrame, $"split at {cut}");
        }

        var bytes = OneBytePerSegmentWithEmptySegments(input);
        McpResponseReader.TryRead(ref bytes, command, out var byByte, out _).Should().Be(OperationStatus.Done);
        ResponsesShouldMatch(byByte, expected);
        bytes.ToArray().Should().Equal(NextFrame);
    }

    [Test]
    public void TryRead_SeveralFramesInOneBuffer_ReadsThemInOrder()
    {
        byte[] input = [.. Vectors.MetricsResponse, .. Vectors.UserExistsResponse, .. Vectors.UsersResponse, .. Vectors.DissectorOnResponse];
        var buffer = Split(input, 10, 53, 60);

        McpResponseReader.TryRead(ref buffer, McpCommand.GetMetrics, out var metrics, out _).Should().Be(OperationStatus.Done);
        McpResponseReader.TryRead(ref buffer, McpCommand.AddUser, out var added, out _).Should().Be(OperationStatus.Done);
        McpResponseReader.TryRead(ref buffer, McpCommand.ListUsers, out var users, out _).Should().Be(OperationStatus.Done);
        McpResponseReader.TryRead(ref buffer, McpCommand.ToggleDissector, out var toggled, out _).Should().Be(OperationStatus.Done);

        metrics.Metrics.Should().Be(Vectors.Metrics);
        added.Status.Should().Be(McpStatus.UserExists);
        users.Users.Should().HaveCount(2);
        toggled.DissectorEnabled.Should().BeTrue();
        buffer.IsEmpty.Should().BeTrue();
        McpResponseReader.TryRead(ref buffer, McpCommand.GetMetrics, out _, out _).Should().Be(OperationStatus.NeedMoreData);
    }

    [TestCase("02 00 0000")]
    [TestCase("00")]
    public void TryRead_UnsupportedVersion_ReturnsInvalidDataWithoutConsuming(string hex)
    {
        var buffer = Single(Hex(hex));
        var before = buffer;

        var status = McpResponseReader.TryRead(ref buffer, McpCommand.GetMetrics, out _, out var error);

        status.Should().Be(OperationStatus.InvalidData);
        error.Reason.Should().Be(McpFrameErrorReason.UnsupportedVersion);
        error.CanSkipFrame.Should().BeFalse();
        buffer.Should().Be(before);
    }

    // detectAt: the shortest prefix already known to be invalid (4 = from the header, before any payload).
    [TestCase("01 00 002F", McpCommand.GetMetrics, 4, McpFrameErrorReason.InvalidLength, TestName = "GET_METRICS LEN 47")]
    [TestCase("01 00 0031", McpCommand.GetMetrics, 4, McpFrameErrorReason.InvalidLength, TestName = "GET_METRICS LEN 49")]
    [TestCase("01 00 0000", McpCommand.GetMetrics, 4, McpFrameErrorReason.InvalidLength, TestName = "GET_METRICS LEN 0")]
    [TestCase("01 00 0000", McpCommand.ListUsers, 4, McpFrameErrorReason.InvalidLength, TestName = "LIST_USERS without COUNT")]
    [TestCase("01 00 FF02", McpCommand.ListUsers, 4, McpFrameErrorReason.InvalidLength, TestName = "LIST_USERS LEN 65282")]
    [TestCase("01 00 0001 00", McpCommand.AddUser, 4, McpFrameErrorReason.InvalidLength, TestName = "ADD_USER OK with payload")]
    [TestCase("01 00 0002 0000", McpCommand.RemoveUser, 4, McpFrameErrorReason.InvalidLength, TestName = "REMOVE_USER OK with payload")]
    [TestCase("01 00 0000", McpCommand.ToggleDissector, 4, McpFrameErrorReason.InvalidLength, TestName = "TOGGLE_DISECTOR LEN 0")]
    [TestCase("01 00 0002 0100", McpCommand.ToggleDissector, 4, McpFrameErrorReason.InvalidLength, TestName = "TOGGLE_DISECTOR LEN 2")]
    [TestCase("01 00 0001 02", McpCommand.ToggleDissector, 5, McpFrameErrorReason.InvalidDissectorState, TestName = "TOGGLE_DISECTOR STATE 2")]
    [TestCase("01 00 0001 FF", McpCommand.ToggleDissector, 5, McpFrameErrorReason.InvalidDissectorState, TestName = "TOGGLE_DISECTOR STATE 0xFF")]
    public void TryRead_MalformedHeaderOrState_IsRejectedAsSoonAsVisible(string hex, McpCommand command, int detectAt, McpFrameErrorReason reason)
    {
        var prefix = Hex(hex);
        var announced = McpConstants.HeaderLength + ((prefix[2] << 8) | prefix[3]);
        for (var length = 1; length < detectAt; length++)
        {
            var partial = Single(prefix[..length]);
            McpResponseReader.TryRead(ref partial, command, out _, out _).Should().Be(OperationStatus.NeedMoreData);
        }

        var buffer = Split(prefix[..detectAt], 2);

        var status = McpResponseReader.TryRead(ref buffer, command, out _, out var error);

        status.Should().Be(OperationStatus.InvalidData);
        error.Reason.Should().Be(reason);
        error.CanSkipFrame.Should().BeTrue();
        error.FrameLength.Should().Be(announced);
        error.RemainingBytes.Should().Be(announced - detectAt);
        buffer.IsEmpty.Should().BeTrue();
    }

    [TestCase("01 00 0003 02 01 61", McpFrameErrorReason.UserCountMismatch, "only 1 entries", TestName = "COUNT 2 with 1 entry")]
    [TestCase("01 00 0001 01", McpFrameErrorReason.UserCountMismatch, "only 0 entries", TestName = "COUNT 1 with no entries")]
    [TestCase("01 00 0005 01 01 61 01 62", McpFrameErrorReason.UserCountMismatch, "holds 2 entries", TestName = "COUNT 1 with 2 entries")]
    [TestCase("01 00 0003 00 01 61", McpFrameErrorReason.UserCountMismatch, "holds 1 entries", TestName = "COUNT 0 with 1 entry")]
    [TestCase("01 00 0002 01 00", McpFrameErrorReason.EmptyUsername, "ULEN 0", TestName = "entry with ULEN 0")]
    [TestCase("01 00 0003 01 05 61", McpFrameErrorReason.UsernameOverrunsPayload, "ULEN 5", TestName = "entry ULEN past LEN")]
    [TestCase("01 00 0004 01 01 61 00", McpFrameErrorReason.TrailingBytes, "1 bytes", TestName = "trailing zero byte")]
    [TestCase("01 00 0005 01 01 61 03 62", McpFrameErrorReason.TrailingBytes, "2 bytes", TestName = "trailing partial entry")]
    public void TryRead_MalformedUserList_ReturnsInvalidDataAndConsumesTheFrame(string hex, McpFrameErrorReason reason, string messagePart)
    {
        var frame = Hex(hex);
        var buffer = Split([.. frame, .. NextFrame], 5);

        var status = McpResponseReader.TryRead(ref buffer, McpCommand.ListUsers, out _, out var error);

        status.Should().Be(OperationStatus.InvalidData);
        error.Reason.Should().Be(reason);
        error.Message.Should().Contain(messagePart);
        error.FrameLength.Should().Be(frame.Length);
        error.RemainingBytes.Should().Be(0);
        buffer.ToArray().Should().Equal(NextFrame);
    }

    [Test]
    public void TryRead_MalformedUserListPrefix_WaitsForTheWholePayload()
    {
        // COUNT 3 but LEN 3 cannot hold three entries; the list is validated once it is complete.
        var frame = Hex("01 00 0003 03 01 61");
        var prefix = Single(frame[..6]);
        McpResponseReader.TryRead(ref prefix, McpCommand.ListUsers, out _, out _).Should().Be(OperationStatus.NeedMoreData);

        var buffer = Single(frame);
        McpResponseReader.TryRead(ref buffer, McpCommand.ListUsers, out _, out var error).Should().Be(OperationStatus.InvalidData);
        error.Reason.Should().Be(McpFrameErrorReason.UserCountMismatch);
    }

    private static void ResponsesShouldMatch(McpResponse actual, McpResponse expected)
    {
        actual.Command.Should().Be(expected.Command);
        actual.Status.Should().Be(expected.Status);
        actual.Metrics.Should().Be(expected.Metrics);
        actual.DissectorEnabled.Should().Be(expected.DissectorEnabled);
        actual.Users.Select(u => u.ToArray()).Should().BeEquivalentTo(
            expected.Users.Select(u => u.ToArray()), options => options.WithStrictOrdering());
    }
}
