using System.Buffers;
using Mcp.Protocol.Tests.Support;
using static Mcp.Protocol.Tests.Support.Sequences;

namespace Mcp.Protocol.Tests;

/// <summary>
/// The dissector extensions GET_DISSECTOR (0x83) and SET_DISSECTOR (0x84), byte for byte against frames written by
/// hand from docs/mcp-protocol.md §13.4-§13.5: reader, writer and client, valid and malformed.
/// </summary>
public class McpDissectorExtensionTests
{
    // Requests: VER 01, CMD 83 / 84, LEN, STATE.
    private static readonly byte[] GetDissectorRequest = Hex("01 83 0000");
    private static readonly byte[] SetDissectorOnRequest = Hex("01 84 0001 01");
    private static readonly byte[] SetDissectorOffRequest = Hex("01 84 0001 00");

    private static byte[] NextFrame => Hex("01 00 0000");

    private static TimeSpan Timeout => ScriptedMcpServer.Timeout;

    public static IEnumerable<TestCaseData> ValidRequests()
    {
        yield return new TestCaseData(GetDissectorRequest, McpCommand.GetDissector, false).SetName("GET_DISSECTOR");
        yield return new TestCaseData(SetDissectorOnRequest, McpCommand.SetDissector, true).SetName("SET_DISSECTOR on");
        yield return new TestCaseData(SetDissectorOffRequest, McpCommand.SetDissector, false).SetName("SET_DISSECTOR off");
    }

    [Test]
    public void Command_Bytes_AreTheContractValues()
    {
        ((byte)McpCommand.GetDissector).Should().Be(0x83);
        ((byte)McpCommand.SetDissector).Should().Be(0x84);
        McpNames.GetName(McpCommand.GetDissector).Should().Be("GET_DISSECTOR");
        McpNames.GetName(McpCommand.SetDissector).Should().Be("SET_DISSECTOR");
    }

    [TestCaseSource(nameof(ValidRequests))]
    public void RequestReader_ValidFrame_ReturnsDoneAndStopsAtFrameEnd(byte[] frame, McpCommand command, bool state)
    {
        var buffer = Single([.. frame, .. NextFrame]);

        McpRequestReader.TryRead(ref buffer, out var request, out var error).Should().Be(OperationStatus.Done);

        error.Reason.Should().Be(McpFrameErrorReason.None);
        request.Command.Should().Be(command);
        request.IsKnownCommand.Should().BeTrue("a server with the extension carries it out instead of answering CMD_NOT_SUPPORTED");
        request.DissectorEnabled.Should().Be(state);
        buffer.ToArray().Should().Equal(NextFrame);
    }

    [TestCaseSource(nameof(ValidRequests))]
    public void RequestReader_EveryStrictPrefix_ReturnsNeedMoreDataAndConsumesNothing(byte[] frame, McpCommand command, bool state)
    {
        for (var length = 0; length < frame.Length; length++)
        {
            var buffer = Split(frame[..length], length / 2);
            var before = buffer;

            McpRequestReader.TryRead(ref buffer, out _, out _).Should().Be(OperationStatus.NeedMoreData, $"{length} bytes");
            buffer.Should().Be(before);
        }
    }

    [TestCaseSource(nameof(ValidRequests))]
    public void RequestReader_SplitAtEveryPositionAndOneBytePerSegment_ParsesIdentically(byte[] frame, McpCommand command, bool state)
    {
        byte[] input = [.. frame, .. NextFrame];
        var buffers = Enumerable.Range(1, input.Length - 1).Select(cut => Split(input, cut)).Append(OneBytePerSegmentWithEmptySegments(input));
        foreach (var original in buffers)
        {
            var buffer = original;

            McpRequestReader.TryRead(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);

            request.Command.Should().Be(command);
            request.DissectorEnabled.Should().Be(state);
            buffer.ToArray().Should().Equal(NextFrame);
        }
    }

    // frame: a complete invalid frame; detectAt: the shortest prefix already known to be invalid.
    [TestCase("01 83 0001 00", 4, McpFrameErrorReason.InvalidLength, TestName = "GET_DISSECTOR with LEN 1")]
    [TestCase("01 84 0000", 4, McpFrameErrorReason.InvalidLength, TestName = "SET_DISSECTOR with LEN 0")]
    [TestCase("01 84 0002 0100", 4, McpFrameErrorReason.InvalidLength, TestName = "SET_DISSECTOR with LEN 2")]
    [TestCase("01 84 0001 02", 5, McpFrameErrorReason.InvalidDissectorState, TestName = "SET_DISSECTOR with STATE 0x02")]
    [TestCase("01 84 0001 FF", 5, McpFrameErrorReason.InvalidDissectorState, TestName = "SET_DISSECTOR with STATE 0xFF")]
    public void RequestReader_Malformed_ReturnsInvalidDataAndConsumesExactlyTheFrame(string hex, int detectAt, McpFrameErrorReason reason)
    {
        var frame = Hex(hex);
        for (var length = 1; length < detectAt; length++)
        {
            var partial = Single(frame[..length]);
            McpRequestReader.TryRead(ref partial, out _, out _).Should().Be(OperationStatus.NeedMoreData, $"{length} bytes");
        }

        var buffer = Split([.. frame, .. NextFrame], detectAt);

        McpRequestReader.TryRead(ref buffer, out _, out var error).Should().Be(OperationStatus.InvalidData);

        error.Reason.Should().Be(reason);
        error.CanSkipFrame.Should().BeTrue("the server answers ERROR and keeps the connection");
        error.FrameLength.Should().Be(frame.Length);
        error.RemainingBytes.Should().Be(0);
        buffer.ToArray().Should().Equal(NextFrame);
    }

    [Test]
    public void RequestReader_SetDissectorWithHugeLen_IsRejectedFromTheHeaderAlone()
    {
        var buffer = Single(Hex("01 84 FFFF"));

        McpRequestReader.TryRead(ref buffer, out _, out var error).Should().Be(OperationStatus.InvalidData);

        error.Reason.Should().Be(McpFrameErrorReason.InvalidLength);
        error.Message.Should().Be("SET_DISSECTOR carries exactly 1 byte (STATE), but LEN is 65535.");
        error.RemainingBytes.Should().Be(65535);
    }

    [Test]
    public void RequestReader_InvalidState_MessageNamesTheValueButNoPayloadBeyondIt()
    {
        var buffer = Single(Hex("01 84 0001 07"));

        McpRequestReader.TryRead(ref buffer, out _, out var error);

        error.Message.Should().Be("STATE is 0x07; it must be 0x00 (off) or 0x01 (on).");
    }

    public static IEnumerable<TestCaseData> Requests()
    {
        yield return new TestCaseData(McpRequest.GetDissector, GetDissectorRequest).SetName("GET_DISSECTOR");
        yield return new TestCaseData(McpRequest.WithoutPayload(McpCommand.GetDissector), GetDissectorRequest).SetName("GET_DISSECTOR without payload");
        yield return new TestCaseData(McpRequest.SetDissector(true), SetDissectorOnRequest).SetName("SET_DISSECTOR on");
        yield return new TestCaseData(McpRequest.SetDissector(false), SetDissectorOffRequest).SetName("SET_DISSECTOR off");
    }

    [TestCaseSource(nameof(Requests))]
    public void RequestWriter_WritesExactBytes_AndTheReaderReadsThemBack(McpRequest request, byte[] expected)
    {
        var output = new ArrayBufferWriter<byte>();

        McpRequestWriter.Write(request, output);

        output.WrittenSpan.ToArray().Should().Equal(expected);
        var buffer = Single(output.WrittenSpan.ToArray());
        McpRequestReader.TryRead(ref buffer, out var read, out _).Should().Be(OperationStatus.Done);
        read.Command.Should().Be(request.Command);
        read.DissectorEnabled.Should().Be(request.DissectorEnabled);
    }

    [Test]
    public void WithoutPayload_SetDissector_Throws()
    {
        FluentActions.Invoking(() => McpRequest.WithoutPayload(McpCommand.SetDissector)).Should().Throw<ArgumentException>()
            .WithMessage("SET_DISSECTOR needs a payload*");
    }

    public static IEnumerable<TestCaseData> Responses()
    {
        foreach (var command in new[] { McpCommand.GetDissector, McpCommand.SetDissector })
        {
            yield return new TestCaseData(command, true, Hex("01 00 0001 01")).SetName($"{McpNames.GetName(command)} on");
            yield return new TestCaseData(command, false, Hex("01 00 0001 00")).SetName($"{McpNames.GetName(command)} off");
        }
    }

    [TestCaseSource(nameof(Responses))]
    public void ResponseWriterAndReader_State_ExactBytesBothWays(McpCommand command, bool state, byte[] frame)
    {
        var output = new ArrayBufferWriter<byte>();
        McpResponseWriter.Write(McpResponse.FromDissectorState(command, state), output);
        output.WrittenSpan.ToArray().Should().Equal(frame);

        byte[] input = [.. frame, .. NextFrame];
        for (var cut = 0; cut < input.Length; cut++)
        {
            for (var length = 0; length < frame.Length; length++)
            {
                var partial = Split(frame[..length], Math.Min(cut, length));
                McpResponseReader.TryRead(ref partial, command, out _, out _).Should().Be(OperationStatus.NeedMoreData);
            }

            var buffer = cut == 0 ? Single(input) : Split(input, cut);
            McpResponseReader.TryRead(ref buffer, command, out var response, out _).Should().Be(OperationStatus.Done);
            response.Command.Should().Be(command);
            response.IsOk.Should().BeTrue();
            response.DissectorEnabled.Should().Be(state);
            buffer.ToArray().Should().Equal(NextFrame);
        }
    }

    [TestCase(McpCommand.GetDissector, "01 00 0000", 4, McpFrameErrorReason.InvalidLength, TestName = "GET_DISSECTOR response LEN 0")]
    [TestCase(McpCommand.GetDissector, "01 00 0002 0100", 4, McpFrameErrorReason.InvalidLength, TestName = "GET_DISSECTOR response LEN 2")]
    [TestCase(McpCommand.GetDissector, "01 00 0001 02", 5, McpFrameErrorReason.InvalidDissectorState, TestName = "GET_DISSECTOR response STATE 2")]
    [TestCase(McpCommand.SetDissector, "01 00 0000", 4, McpFrameErrorReason.InvalidLength, TestName = "SET_DISSECTOR response LEN 0")]
    [TestCase(McpCommand.SetDissector, "01 00 0003 010101", 4, McpFrameErrorReason.InvalidLength, TestName = "SET_DISSECTOR response LEN 3")]
    [TestCase(McpCommand.SetDissector, "01 00 0001 FF", 5, McpFrameErrorReason.InvalidDissectorState, TestName = "SET_DISSECTOR response STATE 0xFF")]
    public void ResponseReader_Malformed_ReturnsInvalidData(McpCommand command, string hex, int detectAt, McpFrameErrorReason reason)
    {
        var frame = Hex(hex);
        var buffer = Split(frame, Math.Min(detectAt, frame.Length - 1));

        McpResponseReader.TryRead(ref buffer, command, out _, out var error).Should().Be(OperationStatus.InvalidData);

        error.Reason.Should().Be(reason);
        error.Message.Should().StartWith(reason == McpFrameErrorReason.InvalidLength ? $"A successful {McpNames.GetName(command)} response" : "STATE is");
    }

    [TestCase(McpCommand.GetDissector)]
    [TestCase(McpCommand.SetDissector)]
    public void ResponseReader_CommandNotSupported_IsDoneWithThatStatus(McpCommand command)
    {
        var buffer = Single([.. Hex("01 02 0000"), .. NextFrame]);

        McpResponseReader.TryRead(ref buffer, command, out var response, out _).Should().Be(OperationStatus.Done);

        response.Status.Should().Be(McpStatus.CommandNotSupported);
        response.Command.Should().Be(command);
        buffer.ToArray().Should().Equal(NextFrame);
    }

    [Test]
    public void FromDissectorState_CommandWithoutState_Throws()
    {
        FluentActions.Invoking(() => McpResponse.FromDissectorState(McpCommand.ListUsers, true)).Should().Throw<ArgumentException>();
        McpResponse.FromDissectorState(McpCommand.ToggleDissector, true).Command.Should().Be(McpCommand.ToggleDissector);
    }

    [TestCase("01 00 0001 01", true)]
    [TestCase("01 00 0001 00", false)]
    public async Task GetDissectorAsync_ServerAnswersState_SendsExactRequestAndReturnsIt(string response, bool expected)
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.GetDissectorAsync();
        (await server.ReadFrameAsync()).Should().Equal(GetDissectorRequest);
        await server.WriteAsync(Hex(response));

        (await call.WaitAsync(Timeout)).Should().Be(expected);
    }

    [TestCase(true, "01 84 0001 01", "01 00 0001 01")]
    [TestCase(false, "01 84 0001 00", "01 00 0001 00")]
    public async Task SetDissectorAsync_SendsExactRequestAndReturnsTheStateInForce(bool wanted, string request, string response)
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.SetDissectorAsync(wanted);
        (await server.ReadFrameAsync()).Should().Equal(Hex(request));
        await server.WriteAsync(Hex(response));

        (await call.WaitAsync(Timeout)).Should().Be(wanted);
    }

    [Test]
    public async Task GetDissectorAsync_ServerWithoutTheExtension_ThrowsStatusAndTheConnectionStaysUsable()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.GetDissectorAsync();
        await server.ReadFrameAsync();
        await server.WriteAsync(Hex("01 02 0000"));

        var thrown = await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<McpStatusException>();
        thrown.Which.Status.Should().Be(McpStatus.CommandNotSupported);
        thrown.Which.Command.Should().Be(McpCommand.GetDissector);
        thrown.Which.Message.Should().Be("The server answered GET_DISSECTOR with CMD_NOT_SUPPORTED: the server does not implement this command.");

        var toggle = client.ToggleDissectorAsync();
        (await server.ReadFrameAsync()).Should().Equal(Vectors.ToggleDissectorRequest);
        await server.WriteAsync(Vectors.DissectorOnResponse);
        (await toggle.WaitAsync(Timeout)).Should().BeTrue();
    }

    [Test]
    public async Task SetDissectorAsync_InvalidStateInResponse_ThrowsProtocolException()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.SetDissectorAsync(true);
        await server.ReadFrameAsync();
        await server.WriteAsync(Hex("01 00 0001 02"));

        var thrown = await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<McpProtocolException>();
        thrown.Which.Reason.Should().Be(McpFrameErrorReason.InvalidDissectorState);
        thrown.Which.Message.Should().StartWith("Malformed response to SET_DISSECTOR");
    }

    [Test]
    public async Task SetDissectorAsync_ResponseWithWrongLen_ThrowsProtocolException()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.SetDissectorAsync(false);
        await server.ReadFrameAsync();
        await server.WriteAsync(Hex("01 00 0000"));

        (await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<McpProtocolException>())
            .Which.Reason.Should().Be(McpFrameErrorReason.InvalidLength);
    }
}
