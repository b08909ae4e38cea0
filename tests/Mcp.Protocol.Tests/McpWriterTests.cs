using System.Buffers;
using static Mcp.Protocol.Tests.Support.Sequences;

namespace Mcp.Protocol.Tests;

public class McpWriterTests
{
    public static IEnumerable<TestCaseData> Requests()
    {
        yield return new TestCaseData(McpRequest.GetMetrics, Vectors.GetMetricsRequest).SetName("GET_METRICS");
        yield return new TestCaseData(McpRequest.ListUsers, Vectors.ListUsersRequest).SetName("LIST_USERS");
        yield return new TestCaseData(McpRequest.ToggleDissector, Vectors.ToggleDissectorRequest).SetName("TOGGLE_DISECTOR");
        yield return new TestCaseData(McpRequest.AddUser(Vectors.Alice, Vectors.Secret), Vectors.AddUserAliceRequest).SetName("ADD_USER alice");
        yield return new TestCaseData(McpRequest.RemoveUser(Vectors.Bob), Vectors.RemoveUserBobRequest).SetName("REMOVE_USER bob");
        yield return new TestCaseData(
            McpRequest.AddUser(Enumerable.Repeat((byte)0x75, 255).ToArray(), Enumerable.Repeat((byte)0x70, 255).ToArray()),
            Vectors.AddUserMaxRequest).SetName("ADD_USER 255/255");
        yield return new TestCaseData(McpRequest.WithoutPayload((McpCommand)0x2A), Hex("01 2A 0000")).SetName("unknown command 0x2A");
        yield return new TestCaseData(default(McpRequest), Vectors.GetMetricsRequest).SetName("default is GET_METRICS");
    }

    public static IEnumerable<TestCaseData> Responses()
    {
        yield return new TestCaseData(McpResponse.FromMetrics(Vectors.Metrics), Vectors.MetricsResponse).SetName("GET_METRICS OK");
        yield return new TestCaseData(
            McpResponse.FromUsers([Vectors.Alice, Vectors.Bob]), Vectors.UsersResponse).SetName("LIST_USERS alice bob");
        yield return new TestCaseData(McpResponse.FromUsers([]), Vectors.NoUsersResponse).SetName("LIST_USERS empty");
        yield return new TestCaseData(McpResponse.Success(McpCommand.AddUser), Vectors.OkEmptyResponse).SetName("ADD_USER OK");
        yield return new TestCaseData(McpResponse.Success(McpCommand.RemoveUser), Vectors.OkEmptyResponse).SetName("REMOVE_USER OK");
        yield return new TestCaseData(McpResponse.FromDissectorState(true), Vectors.DissectorOnResponse).SetName("TOGGLE_DISECTOR on");
        yield return new TestCaseData(McpResponse.FromDissectorState(false), Vectors.DissectorOffResponse).SetName("TOGGLE_DISECTOR off");
        yield return new TestCaseData(McpResponse.Failure(McpCommand.GetMetrics, McpStatus.Error), Vectors.ErrorResponse).SetName("ERROR");
        yield return new TestCaseData(
            McpResponse.Failure((McpCommand)0x2A, McpStatus.CommandNotSupported), Vectors.CommandNotSupportedResponse).SetName("CMD_NOT_SUPPORTED");
        yield return new TestCaseData(McpResponse.Failure(McpCommand.RemoveUser, McpStatus.UserNotFound), Vectors.UserNotFoundResponse).SetName("USER_NOT_FOUND");
        yield return new TestCaseData(McpResponse.Failure(McpCommand.AddUser, McpStatus.UserExists), Vectors.UserExistsResponse).SetName("USER_EXISTS");
        yield return new TestCaseData(McpResponse.Failure(McpCommand.AddUser, McpStatus.UserLimit), Vectors.UserLimitResponse).SetName("USER_LIMIT");
        yield return new TestCaseData(McpResponse.Failure(McpCommand.ListUsers, McpStatus.Error), Vectors.ErrorResponse).SetName("LIST_USERS ERROR has no payload");
    }

    [TestCaseSource(nameof(Requests))]
    public void WriteRequest_Message_WritesMemoBytes(McpRequest request, byte[] expected)
    {
        var output = new ArrayBufferWriter<byte>();

        McpRequestWriter.Write(request, output);

        output.WrittenSpan.ToArray().Should().Equal(expected);
    }

    [TestCaseSource(nameof(Responses))]
    public void WriteResponse_Message_WritesMemoBytes(McpResponse response, byte[] expected)
    {
        var output = new ArrayBufferWriter<byte>();

        McpResponseWriter.Write(response, output);

        output.WrittenSpan.ToArray().Should().Equal(expected);
    }

    [TestCaseSource(nameof(Requests))]
    public void WriteRequest_ThenRead_RoundTrips(McpRequest request, byte[] expected)
    {
        var output = new ArrayBufferWriter<byte>();
        McpRequestWriter.Write(request, output);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        McpRequestReader.TryRead(ref buffer, out var read, out _).Should().Be(OperationStatus.Done);

        read.Command.Should().Be(request.Command);
        read.Username.ToArray().Should().Equal(request.Username.ToArray());
        read.Password.ToArray().Should().Equal(request.Password.ToArray());
        buffer.IsEmpty.Should().BeTrue();
    }

    [TestCaseSource(nameof(Responses))]
    public void WriteResponse_ThenRead_RoundTrips(McpResponse response, byte[] expected)
    {
        var output = new ArrayBufferWriter<byte>();
        McpResponseWriter.Write(response, output);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        McpResponseReader.TryRead(ref buffer, response.Command, out var read, out _).Should().Be(OperationStatus.Done);

        read.Command.Should().Be(response.Command);
        read.Status.Should().Be(response.Status);
        read.Metrics.Should().Be(response.Metrics);
        read.DissectorEnabled.Should().Be(response.DissectorEnabled);
        read.Users.Select(u => u.ToArray()).Should().BeEquivalentTo(
            response.Users.Select(u => u.ToArray()), options => options.WithStrictOrdering());
        buffer.IsEmpty.Should().BeTrue();
    }

    [Test]
    public void WriteResponse_MaximalUserList_RoundTripsThroughSmallSegments()
    {
        var users = Enumerable.Range(0, 255)
            .Select(i => (ReadOnlyMemory<byte>)Enumerable.Repeat((byte)i, 255).ToArray())
            .ToArray();
        var output = new ArrayBufferWriter<byte>();

        McpResponseWriter.Write(McpResponse.FromUsers(users), output);

        output.WrittenCount.Should().Be(McpConstants.HeaderLength + McpConstants.MaxListUsersPayloadLength);
        output.WrittenSpan[..5].ToArray().Should().Equal(Hex("01 00 FF01 FF"));
        var written = output.WrittenSpan.ToArray();
        var buffer = Split(written, Enumerable.Range(1, written.Length / 1000).Select(i => i * 1000).ToArray());
        McpResponseReader.TryRead(ref buffer, McpCommand.ListUsers, out var read, out _).Should().Be(OperationStatus.Done);
        read.Users.Select(u => u.ToArray()).Should().BeEquivalentTo(
            users.Select(u => u.ToArray()), options => options.WithStrictOrdering());
    }

    [TestCase(0, 1)]
    [TestCase(256, 1)]
    [TestCase(1, 0)]
    [TestCase(1, 256)]
    public void AddUser_CredentialOutOfRange_ThrowsArgumentException(int usernameLength, int passwordLength)
    {
        var act = () => McpRequest.AddUser(new byte[usernameLength], new byte[passwordLength]);

        act.Should().Throw<ArgumentException>().WithMessage("*1 to 255 bytes*");
    }

    [TestCase(0)]
    [TestCase(256)]
    public void RemoveUser_UsernameOutOfRange_ThrowsArgumentException(int usernameLength)
    {
        var act = () => McpRequest.RemoveUser(new byte[usernameLength]);

        act.Should().Throw<ArgumentException>().WithParameterName("username");
    }

    [TestCase(McpCommand.AddUser)]
    [TestCase(McpCommand.RemoveUser)]
    public void WithoutPayload_CommandNeedsPayload_ThrowsArgumentException(McpCommand command)
    {
        var act = () => McpRequest.WithoutPayload(command);

        act.Should().Throw<ArgumentException>();
    }

    [Test]
    public void FromUsers_MoreThan255Users_ThrowsArgumentException()
    {
        var users = Enumerable.Range(0, 256).Select(_ => (ReadOnlyMemory<byte>)new byte[] { 0x61 }).ToArray();

        var act = () => McpResponse.FromUsers(users);

        act.Should().Throw<ArgumentException>().WithMessage("*at most 255*");
    }

    [TestCase(0)]
    [TestCase(256)]
    public void FromUsers_NameOutOfRange_ThrowsArgumentException(int length)
    {
        var act = () => McpResponse.FromUsers([Vectors.Alice, new byte[length]]);

        act.Should().Throw<ArgumentException>().WithMessage("*index 1*");
    }

    [Test]
    public void WriteResponse_ListChangedAfterCreation_ThrowsBeforeWritingAnything()
    {
        var users = new List<ReadOnlyMemory<byte>> { Vectors.Alice };
        var response = McpResponse.FromUsers(users);
        users.Add(ReadOnlyMemory<byte>.Empty);
        var output = new ArrayBufferWriter<byte>();

        var act = () => McpResponseWriter.Write(response, output);

        act.Should().Throw<ArgumentException>();
        output.WrittenCount.Should().Be(0);
    }

    [Test]
    public void Success_CommandWithPayload_ThrowsArgumentException()
    {
        var act = () => McpResponse.Success(McpCommand.GetMetrics);

        act.Should().Throw<ArgumentException>();
    }

    [Test]
    public void Failure_OkStatus_ThrowsArgumentException()
    {
        var act = () => McpResponse.Failure(McpCommand.AddUser, McpStatus.Ok);

        act.Should().Throw<ArgumentException>();
    }

    [Test]
    public void WriteResponse_OkForUnknownCommand_ThrowsArgumentException()
    {
        // Only the reader can produce this value (an OK answer to a command byte the memo does not define).
        var buffer = new ReadOnlySequence<byte>(Vectors.OkEmptyResponse);
        McpResponseReader.TryRead(ref buffer, (McpCommand)0x2A, out var response, out _);
        var output = new ArrayBufferWriter<byte>();

        var act = () => McpResponseWriter.Write(response, output);

        act.Should().Throw<ArgumentException>();
        output.WrittenCount.Should().Be(0);
    }

    [Test]
    public void Write_NullOutput_ThrowsArgumentNullException()
    {
        var request = () => McpRequestWriter.Write(McpRequest.GetMetrics, null!);
        var response = () => McpResponseWriter.Write(McpResponse.FromDissectorState(true), null!);

        request.Should().Throw<ArgumentNullException>();
        response.Should().Throw<ArgumentNullException>();
    }

    [Test]
    public void Names_KnownAndUnknownValues_UseMemoSpelling()
    {
        McpNames.GetName(McpCommand.ToggleDissector).Should().Be("TOGGLE_DISECTOR");
        McpNames.GetName((McpCommand)0x2A).Should().Be("0x2A");
        McpNames.GetName(McpStatus.CommandNotSupported).Should().Be("CMD_NOT_SUPPORTED");
        McpNames.GetName((McpStatus)0x09).Should().Be("0x09");
        new McpStatusException(McpCommand.AddUser, McpStatus.UserExists).Message
            .Should().Be("The server answered ADD_USER with USER_EXISTS: a user with that name already exists.");
    }
}
