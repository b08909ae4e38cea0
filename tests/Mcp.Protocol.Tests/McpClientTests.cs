using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mcp.Protocol.Tests.Support;
using static Mcp.Protocol.Tests.Support.Sequences;

namespace Mcp.Protocol.Tests;

public class McpClientTests
{
    private static TimeSpan Timeout => ScriptedMcpServer.Timeout;

    [Test]
    public async Task GetMetricsAsync_ServerAnswersCounters_SendsExactRequestAndReturnsThem()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.GetMetricsAsync();
        (await server.ReadFrameAsync()).Should().Equal(Vectors.GetMetricsRequest);
        await server.WriteAsync(Vectors.MetricsResponse);

        (await call.WaitAsync(Timeout)).Should().Be(Vectors.Metrics);
    }

    [Test]
    public async Task ListUsersAsync_ServerAnswersTwoUsers_ReturnsNamesInOrder()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.ListUsersAsync();
        (await server.ReadFrameAsync()).Should().Equal(Vectors.ListUsersRequest);
        await server.WriteAsync(Vectors.UsersResponse);

        var users = await call.WaitAsync(Timeout);
        users.Should().HaveCount(2);
        users[0].Should().Equal(Vectors.Alice);
        users[1].Should().Equal(Vectors.Bob);
    }

    [Test]
    public async Task ListUsersAsync_NoUsers_ReturnsEmptyList()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.ListUsersAsync();
        await server.ReadFrameAsync();
        await server.WriteAsync(Vectors.NoUsersResponse);

        (await call.WaitAsync(Timeout)).Should().BeEmpty();
    }

    [Test]
    public async Task AddUserAsync_Strings_SendsUtf8Frame()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.AddUserAsync("alice", "s3cret");
        (await server.ReadFrameAsync()).Should().Equal(Vectors.AddUserAliceRequest);
        await server.WriteAsync(Vectors.OkEmptyResponse);

        await call.WaitAsync(Timeout);
    }

    [Test]
    public async Task AddUserAsync_NonAsciiStrings_SendsUtf8Bytes()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        // "josé" = 6A 6F 73 C3 A9 (5 bytes), "ñ" = C3 B1 (2 bytes): LEN = 1 + 5 + 1 + 2 = 9.
        var call = client.AddUserAsync("jos\u00e9", "\u00f1");
        (await server.ReadFrameAsync()).Should().Equal(Hex("01 02 0009 05 6A6F73C3A9 02 C3B1"));
        await server.WriteAsync(Vectors.OkEmptyResponse);

        await call.WaitAsync(Timeout);
    }

    [Test]
    public async Task AddUserAsync_Bytes_SendsExactFrame()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.AddUserAsync(Vectors.Alice, Vectors.Secret);
        (await server.ReadFrameAsync()).Should().Equal(Vectors.AddUserAliceRequest);
        await server.WriteAsync(Vectors.OkEmptyResponse);

        await call.WaitAsync(Timeout);
    }

    [Test]
    public async Task RemoveUserAsync_String_SendsExactFrame()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.RemoveUserAsync("bob");
        (await server.ReadFrameAsync()).Should().Equal(Vectors.RemoveUserBobRequest);
        await server.WriteAsync(Vectors.OkEmptyResponse);

        await call.WaitAsync(Timeout);
    }

    [Test]
    public async Task RemoveUserAsync_Bytes_SendsExactFrame()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.RemoveUserAsync(Vectors.Bob);
        (await server.ReadFrameAsync()).Should().Equal(Vectors.RemoveUserBobRequest);
        await server.WriteAsync(Vectors.OkEmptyResponse);

        await call.WaitAsync(Timeout);
    }

    [TestCase("01 00 0001 01", true)]
    [TestCase("01 00 0001 00", false)]
    public async Task ToggleDissectorAsync_ServerAnswersState_ReturnsIt(string response, bool expected)
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.ToggleDissectorAsync();
        (await server.ReadFrameAsync()).Should().Equal(Vectors.ToggleDissectorRequest);
        await server.WriteAsync(Hex(response));

        (await call.WaitAsync(Timeout)).Should().Be(expected);
    }

    [Test]
    public async Task SendAsync_UnknownCommand_ReturnsRawStatus()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.SendAsync(McpRequest.WithoutPayload((McpCommand)0x2A));
        (await server.ReadFrameAsync()).Should().Equal(Hex("01 2A 0000"));
        await server.WriteAsync(Vectors.CommandNotSupportedResponse);

        var response = await call.WaitAsync(Timeout);
        response.Status.Should().Be(McpStatus.CommandNotSupported);
        ((byte)response.Command).Should().Be(0x2A);
    }

    [Test]
    public async Task ConcurrentCalls_ServerReadsAllBeforeAnswering_EachCallGetsItsOwnResponse()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var metrics = client.GetMetricsAsync();
        var users = client.ListUsersAsync();
        var add = client.AddUserAsync("alice", "s3cret");
        var toggle = client.ToggleDissectorAsync();
        var remove = client.RemoveUserAsync("bob");

        // All five requests reach the server before any response is sent: the client pipelines.
        var commands = new List<McpCommand>();
        for (var i = 0; i < 5; i++)
        {
            commands.Add(ParseRequest(await server.ReadFrameAsync()).Command);
        }

        commands.Should().BeEquivalentTo(new[]
        {
            McpCommand.GetMetrics, McpCommand.ListUsers, McpCommand.AddUser, McpCommand.ToggleDissector, McpCommand.RemoveUser,
        });
        foreach (var command in commands)
        {
            await server.WriteAsync(command switch
            {
                McpCommand.GetMetrics => Vectors.MetricsResponse,
                McpCommand.ListUsers => Vectors.UsersResponse,
                McpCommand.AddUser => Vectors.OkEmptyResponse,
                McpCommand.ToggleDissector => Vectors.DissectorOnResponse,
                _ => Vectors.UserNotFoundResponse,
            });
        }

        (await metrics.WaitAsync(Timeout)).Should().Be(Vectors.Metrics);
        (await users.WaitAsync(Timeout)).Should().HaveCount(2);
        await add.WaitAsync(Timeout);
        (await toggle.WaitAsync(Timeout)).Should().BeTrue();
        (await FluentActions.Awaiting(() => remove.WaitAsync(Timeout)).Should().ThrowAsync<McpStatusException>())
            .Which.Status.Should().Be(McpStatus.UserNotFound);
    }

    [Test]
    public async Task ConcurrentCalls_ResponsesInWireOrder_AreMatchedToRequestsInWireOrder()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var calls = Enumerable.Range(0, 20)
            .Select(i => (Name: $"user{i}", Call: Task.Run(() => client.AddUserAsync($"user{i}", "pw"))))
            .ToArray();

        // Answer OK to even wire positions and USER_EXISTS to odd ones, in one write.
        var wireOrder = new List<string>();
        var answers = new List<byte>();
        for (var i = 0; i < calls.Length; i++)
        {
            var request = ParseRequest(await server.ReadFrameAsync());
            wireOrder.Add(Encoding.UTF8.GetString(request.Username.Span));
            answers.AddRange(i % 2 == 0 ? Vectors.OkEmptyResponse : Vectors.UserExistsResponse);
        }

        await server.WriteAsync([.. answers]);

        foreach (var (name, call) in calls)
        {
            var position = wireOrder.IndexOf(name);
            position.Should().BeGreaterThanOrEqualTo(0);
            if (position % 2 == 0)
            {
                await call.WaitAsync(Timeout);
            }
            else
            {
                (await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<McpStatusException>())
                    .Which.Status.Should().Be(McpStatus.UserExists);
            }
        }
    }

    [TestCase(McpStatus.UserExists)]
    [TestCase(McpStatus.UserLimit)]
    [TestCase(McpStatus.Error)]
    [TestCase((McpStatus)0x2A)]
    public async Task AddUserAsync_NonOkStatus_ThrowsStatusExceptionAndConnectionStaysUsable(McpStatus status)
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.AddUserAsync("alice", "s3cret");
        await server.ReadFrameAsync();
        await server.WriteAsync([0x01, (byte)status, 0x00, 0x00]);

        var thrown = await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<McpStatusException>();
        thrown.Which.Status.Should().Be(status);
        thrown.Which.Command.Should().Be(McpCommand.AddUser);
        thrown.Which.Message.Should().Contain("ADD_USER");

        var next = client.GetMetricsAsync();
        (await server.ReadFrameAsync()).Should().Equal(Vectors.GetMetricsRequest);
        await server.WriteAsync(Vectors.MetricsResponse);
        (await next.WaitAsync(Timeout)).Should().Be(Vectors.Metrics);
    }

    [Test]
    public async Task GetMetricsAsync_ErrorStatus_ThrowsStatusException()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.GetMetricsAsync();
        await server.ReadFrameAsync();
        await server.WriteAsync(Vectors.ErrorResponse);

        (await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<McpStatusException>())
            .Which.Status.Should().Be(McpStatus.Error);
    }

    [TestCase("01 00 002F", McpFrameErrorReason.InvalidLength, TestName = "metrics LEN 47")]
    [TestCase("02 00 0030", McpFrameErrorReason.UnsupportedVersion, TestName = "VER 0x02")]
    public async Task GetMetricsAsync_MalformedResponse_ThrowsProtocolExceptionThenConnectionIsUnusable(string response, McpFrameErrorReason reason)
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.GetMetricsAsync();
        await server.ReadFrameAsync();
        await server.WriteAsync(Hex(response));

        var thrown = await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<McpProtocolException>();
        thrown.Which.Reason.Should().Be(reason);
        thrown.Which.Message.Should().StartWith("Malformed response to GET_METRICS");

        var later = await FluentActions.Awaiting(() => client.ListUsersAsync().WaitAsync(Timeout)).Should().ThrowAsync<McpException>();
        later.Which.Should().BeOfType<McpException>();
        later.Which.Message.Should().Contain("can no longer be used");
        later.Which.InnerException.Should().BeOfType<McpProtocolException>();
    }

    [Test]
    public async Task ToggleDissectorAsync_InvalidState_ThrowsProtocolException()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.ToggleDissectorAsync();
        await server.ReadFrameAsync();
        await server.WriteAsync(Hex("01 00 0001 02"));

        (await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<McpProtocolException>())
            .Which.Reason.Should().Be(McpFrameErrorReason.InvalidDissectorState);
    }

    [Test]
    public async Task ListUsersAsync_CountMismatch_ThrowsProtocolException()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.ListUsersAsync();
        await server.ReadFrameAsync();
        await server.WriteAsync(Hex("01 00 0003 02 01 61"));

        (await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<McpProtocolException>())
            .Which.Reason.Should().Be(McpFrameErrorReason.UserCountMismatch);
    }

    [Test]
    public async Task GetMetricsAsync_UnsolicitedBytesAfterResponse_NextCallFailsWithProtocolError()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.GetMetricsAsync();
        await server.ReadFrameAsync();
        await server.WriteAsync([.. Vectors.MetricsResponse, .. Vectors.OkEmptyResponse]);
        (await call.WaitAsync(Timeout)).Should().Be(Vectors.Metrics);

        // The extra frame is either seen with nothing pending ("answer no request") or taken as the answer to the
        // next GET_METRICS (LEN 0 is invalid for it); both leave a protocol error behind.
        var thrown = await FluentActions.Awaiting(() => client.GetMetricsAsync().WaitAsync(Timeout)).Should().ThrowAsync<McpException>();
        (thrown.Which as McpProtocolException ?? thrown.Which.InnerException).Should().BeOfType<McpProtocolException>();
    }

    [Test]
    public async Task GetMetricsAsync_ServerClosesMidFrame_ThrowsMcpExceptionNamingTheCommand()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.GetMetricsAsync();
        await server.ReadFrameAsync();
        await server.WriteAsync(Vectors.MetricsResponse[..10]);
        server.Close();

        var thrown = await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<McpException>();
        thrown.Which.Should().BeOfType<McpException>();
        thrown.Which.Message.Should().Be("The server closed the connection in the middle of the response to GET_METRICS (10 bytes of it received).");
    }

    [Test]
    public async Task ListUsersAsync_ServerClosesBeforeAnswering_ThrowsMcpException()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.ListUsersAsync();
        await server.ReadFrameAsync();
        server.Close();

        var thrown = await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<McpException>();
        thrown.Which.Message.Should().Be("The server closed the connection before answering LIST_USERS.");
    }

    [Test]
    public async Task GetMetricsAsync_ServerResetsConnection_PropagatesIOExceptionUnwrapped()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        var call = client.GetMetricsAsync();
        await server.ReadFrameAsync();
        server.Abort();

        var thrown = await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<IOException>();
        thrown.Which.Should().NotBeAssignableTo<McpException>();
    }

    [Test]
    public async Task GetMetricsAsync_CancelledAfterSending_ResponseIsDrainedAndConnectionStaysUsable()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();
        using var cts = new CancellationTokenSource();

        var cancelled = client.GetMetricsAsync(cts.Token);
        (await server.ReadFrameAsync()).Should().Equal(Vectors.GetMetricsRequest);
        await cts.CancelAsync();
        await FluentActions.Awaiting(() => cancelled.WaitAsync(Timeout)).Should().ThrowAsync<OperationCanceledException>();

        // The late answer to the cancelled call is consumed; the next call gets its own answer.
        var next = client.ToggleDissectorAsync();
        await server.WriteAsync(Vectors.MetricsResponse);
        (await server.ReadFrameAsync()).Should().Equal(Vectors.ToggleDissectorRequest);
        await server.WriteAsync(Vectors.DissectorOffResponse);

        (await next.WaitAsync(Timeout)).Should().BeFalse();
    }

    [Test]
    public async Task GetMetricsAsync_AlreadyCancelledToken_SendsNothing()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        await FluentActions.Awaiting(() => client.GetMetricsAsync(new CancellationToken(canceled: true)))
            .Should().ThrowAsync<OperationCanceledException>();

        var next = client.ListUsersAsync();
        (await server.ReadFrameAsync()).Should().Equal(Vectors.ListUsersRequest);
        await server.WriteAsync(Vectors.NoUsersResponse);
        (await next.WaitAsync(Timeout)).Should().BeEmpty();
    }

    [TestCase("", "pw")]
    [TestCase("alice", "")]
    public async Task AddUserAsync_InvalidCredential_ThrowsArgumentExceptionAndSendsNothing(string username, string password)
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        Synchronously(() => client.AddUserAsync(username, password)).Should().Throw<ArgumentException>();

        await AssertNextFrameIsGetMetricsAsync(server, client);
    }

    [Test]
    public async Task AddUserAsync_LoneSurrogate_ThrowsArgumentExceptionAndSendsNothing()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        // Not in a [TestCase]: attribute metadata would turn the lone surrogate into U+FFFD.
        Synchronously(() => client.AddUserAsync("a\ud800", "pw")).Should().Throw<ArgumentException>();

        await AssertNextFrameIsGetMetricsAsync(server, client);
    }

    [Test]
    public async Task AddUserAsync_UsernameOf256Utf8Bytes_ThrowsArgumentException()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var client = await server.ConnectClientAsync();

        // 128 x "é" is 128 characters but 256 UTF-8 bytes.
        Synchronously(() => client.AddUserAsync(new string('\u00e9', 128), "pw"))
            .Should().Throw<ArgumentException>().WithMessage("*256 bytes*");
        Synchronously(() => client.RemoveUserAsync(new byte[256]))
            .Should().Throw<ArgumentException>();
        Synchronously(() => client.RemoveUserAsync(string.Empty))
            .Should().Throw<ArgumentException>();
        Synchronously(() => client.AddUserAsync(null!, "pw"))
            .Should().Throw<ArgumentNullException>();

        await AssertNextFrameIsGetMetricsAsync(server, client);
    }

    [Test]
    public async Task DisposeAsync_CallInFlight_FailsItWithObjectDisposedAndClosesConnection()
    {
        await using var server = ScriptedMcpServer.Start();
        var client = await server.ConnectClientAsync();

        var call = client.GetMetricsAsync();
        await server.ReadFrameAsync();
        await client.DisposeAsync();

        await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<ObjectDisposedException>();
        await FluentActions.Awaiting(() => client.ListUsersAsync().WaitAsync(Timeout)).Should().ThrowAsync<ObjectDisposedException>();
        Synchronously(() => client.SendAsync(McpRequest.GetMetrics)).Should().Throw<ObjectDisposedException>();
        (await server.ReadUntilClosedAsync()).Should().Be(0);
        await client.DisposeAsync();
    }

    [Test]
    public async Task Dispose_CallInFlightAndReadIgnoringCancellation_ReturnsAndFailsTheCallWithObjectDisposed()
    {
        // The transport's read never completes and ignores cancellation: a Dispose that waited for the
        // background reader (sync over async) would never return.
        var stream = new StuckReadStream();
        var client = new McpClient(stream);
        var call = client.GetMetricsAsync();
        (await stream.Written.WaitAsync(Timeout)).Should().Equal(Vectors.GetMetricsRequest);

        await FluentActions.Awaiting(() => Task.Run(client.Dispose).WaitAsync(Timeout)).Should().NotThrowAsync();

        stream.IsDisposed.Should().BeTrue();
        await FluentActions.Awaiting(() => call.WaitAsync(Timeout)).Should().ThrowAsync<ObjectDisposedException>();
        Synchronously(() => client.SendAsync(McpRequest.GetMetrics)).Should().Throw<ObjectDisposedException>();

        // Let the stuck read end (as a closed connection) so the reader stops; a second dispose is a no-op.
        stream.EndRead();
        await client.DisposeAsync();
    }

    [Test]
    public async Task Dispose_LeaveOpen_StreamStaysUsable()
    {
        await using var server = ScriptedMcpServer.Start();
        await using var stream = await server.ConnectStreamAsync();
        var client = new McpClient(stream, leaveOpen: true);

        var call = client.ToggleDissectorAsync();
        (await server.ReadFrameAsync()).Should().Equal(Vectors.ToggleDissectorRequest);
        await server.WriteAsync(Vectors.DissectorOnResponse);
        (await call.WaitAsync(Timeout)).Should().BeTrue();
        client.Dispose();

        await stream.WriteAsync(Vectors.ListUsersRequest);
        (await server.ReadFrameAsync()).Should().Equal(Vectors.ListUsersRequest);
    }

    [Test]
    public async Task ConnectAsync_NothingListening_ThrowsSocketException()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var thrown = await FluentActions.Awaiting(() => McpClient.ConnectAsync("127.0.0.1", port).WaitAsync(Timeout))
            .Should().ThrowAsync<SocketException>();
        thrown.Which.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);
    }

    [TestCase("unix")]
    [TestCase("ipv4")]
    [TestCase("dns")]
    public async Task ConnectAsync_EndPoint_SpeaksMcpOverThatTransport(string transport)
    {
        var directory = Directory.CreateTempSubdirectory("mcp-client-").FullName;
        try
        {
            var path = Path.Combine(directory, "mcp.sock");
            using var listener = transport == "unix"
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(transport == "unix" ? new UnixDomainSocketEndPoint(path) : new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            EndPoint target = transport switch
            {
                "unix" => new UnixDomainSocketEndPoint(path),
                "ipv4" => listener.LocalEndPoint!,
                _ => new DnsEndPoint("localhost", ((IPEndPoint)listener.LocalEndPoint!).Port),
            };
            var accept = listener.AcceptAsync();

            await using var client = await McpClient.ConnectAsync(target).WaitAsync(Timeout);
            using var server = await accept.WaitAsync(Timeout);
            var toggle = client.ToggleDissectorAsync();
            var request = new byte[4];
            for (var read = 0; read < request.Length;)
            {
                var n = await server.ReceiveAsync(request.AsMemory(read)).AsTask().WaitAsync(Timeout);
                n.Should().BePositive();
                read += n;
            }

            await server.SendAsync(Vectors.DissectorOnResponse);

            request.Should().Equal(Vectors.ToggleDissectorRequest);
            (await toggle.WaitAsync(Timeout)).Should().BeTrue();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task ConnectAsync_UnixSocketMissing_ThrowsSocketException()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mcp-none-{Guid.NewGuid():N}.sock");

        var thrown = await FluentActions.Awaiting(() => McpClient.ConnectAsync(new UnixDomainSocketEndPoint(path)).WaitAsync(Timeout))
            .Should().ThrowAsync<SocketException>();
        thrown.Which.SocketErrorCode.Should().Be(SocketError.AddressNotAvailable, "the runtime reports ENOENT on a socket path so");
    }

    [Test]
    public void ConnectAsync_NullEndPoint_ThrowsArgumentNullException()
    {
        Synchronously(() => McpClient.ConnectAsync(null!, CancellationToken.None)).Should().Throw<ArgumentNullException>();
    }

    [TestCase("", 8080)]
    [TestCase(" ", 8080)]
    [TestCase("localhost", 0)]
    [TestCase("localhost", 65536)]
    public void ConnectAsync_InvalidArguments_ThrowsArgumentException(string host, int port)
    {
        Synchronously(() => McpClient.ConnectAsync(host, port)).Should().Throw<ArgumentException>();
    }

    [Test]
    public void Constructor_ReadOnlyStream_ThrowsArgumentException()
    {
        using var stream = new MemoryStream([], writable: false);

        FluentActions.Invoking(() => new McpClient(stream)).Should().Throw<ArgumentException>();
    }

    /// <summary>An action that starts the call and drops its task: it throws only what the method throws before its first await.</summary>
    private static Action Synchronously(Func<Task> start) => () => start();

    private static McpRequest ParseRequest(byte[] frame)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        McpRequestReader.TryRead(ref buffer, out var request, out var error).Should().Be(OperationStatus.Done, error.Message);
        return request;
    }

    /// <summary>A stream whose reads never complete until <see cref="EndRead"/>, whatever the cancellation token says.</summary>
    private sealed class StuckReadStream : Stream
    {
        private readonly TaskCompletionSource<int> _read = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<byte[]> _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<byte[]> Written => _written.Task;

        public bool IsDisposed { get; private set; }

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void EndRead() => _read.TrySetResult(0);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(_read.Task);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _written.TrySetResult(buffer.ToArray());
            return ValueTask.CompletedTask;
        }

        public override void Write(byte[] buffer, int offset, int count) => _written.TrySetResult(buffer[offset..(offset + count)]);

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            IsDisposed = true;
            base.Dispose(disposing);
        }
    }

    private static async Task AssertNextFrameIsGetMetricsAsync(ScriptedMcpServer server, McpClient client)
    {
        var next = client.GetMetricsAsync();
        (await server.ReadFrameAsync()).Should().Equal(Vectors.GetMetricsRequest, "nothing else may have been sent before");
        await server.WriteAsync(Vectors.MetricsResponse);
        (await next.WaitAsync(Timeout)).Should().Be(Vectors.Metrics);
    }
}
