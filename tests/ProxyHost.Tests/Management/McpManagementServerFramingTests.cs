using Microsoft.Extensions.Logging;

namespace ProxyHost.Tests.Management;

/// <summary>Persistent connections, pipelining, split frames and the answers to bad frames (docs/mcp-protocol.md).</summary>
public class McpManagementServerFramingTests
{
    [Test]
    public async Task Pipelined_AllCommandsInOneWrite_AnswersEveryOneInOrder()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.Concat(
            Frames.GetMetrics,
            Frames.AddAlice,
            Frames.AddBob,
            Frames.AddAlice,
            Frames.ListUsers,
            Frames.RemoveAlice,
            Frames.RemoveAlice,
            Frames.ListUsers,
            Frames.ToggleDissector,
            Frames.ToggleDissector));

        var expected = Frames.Concat(
            Frames.FixedMetrics,
            Frames.Ok,
            Frames.Ok,
            Frames.UserExists,
            Frames.AliceAndBob,
            Frames.Ok,
            Frames.UserNotFound,
            Frames.BobOnly,
            Frames.DissectorOn,
            Frames.DissectorOff);
        (await client.ReadAsync(expected.Length)).Should().Equal(expected);
    }

    [Test]
    public async Task Persistent_ManyRequestsOneAfterAnother_SameConnectionAnswersAll()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        for (var i = 0; i < 100; i++)
        {
            await client.SendAsync(Frames.GetMetrics);
            (await client.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);
        }

        harness.Statistics.AcceptedConnections.Should().Be(1);
    }

    [Test]
    public async Task SplitByteByByte_PipelinedRequests_AnswersSameAsWhole()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        var requests = Frames.Concat(Frames.AddAlice, Frames.ListUsers, Frames.GetMetrics);
        foreach (var b in requests)
        {
            await client.SendAsync(b);
        }

        var expected = Frames.Concat(Frames.Ok, [0x01, 0x00, 0x00, 0x07, 0x01, 0x05, .. "alice"u8.ToArray()], Frames.FixedMetrics);
        (await client.ReadAsync(expected.Length)).Should().Equal(expected);
    }

    [Test]
    public async Task SplitHeader_FirstBytesThenRestAfterServerReadThem_Answers()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.AddAlice[..3]);
        await harness.WaitUntilAsync(s => s.BytesReceived == 3);
        await client.SendAsync(Frames.AddAlice[3..9]);
        await harness.WaitUntilAsync(s => s.BytesReceived == 9);
        await client.SendAsync(Frames.AddAlice[9..]);

        (await client.ReadAsync(4)).Should().Equal(Frames.Ok);
    }

    [Test]
    public async Task MalformedAddUser_EmptyUsername_AnswersErrorAndNextRequestWorks()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        // ADD_USER LEN 4: ULEN 0, then 3 bytes that the reader must skip as part of the bad frame.
        await client.SendAsync(0x01, 0x02, 0x00, 0x04, 0x00, 0x01, (byte)'x', 0x01);
        (await client.ReadAsync(4)).Should().Equal(Frames.Error);

        await client.SendAsync(Frames.GetMetrics);
        (await client.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);
        harness.Backend.Store.Count.Should().Be(0);
        harness.Logger.Entries.Should().Contain(e => e.Text.Contains("EmptyUsername"));
    }

    [TestCase(new byte[] { 0x01, 0x00, 0x00, 0x02, 0xAA, 0xBB }, TestName = "GetMetrics_WithPayload")]
    [TestCase(new byte[] { 0x01, 0x04, 0x00, 0x01, 0x01 }, TestName = "ToggleDissector_WithPayload")]
    [TestCase(new byte[] { 0x01, 0x03, 0x00, 0x00 }, TestName = "RemoveUser_EmptyPayload")]
    [TestCase(new byte[] { 0x01, 0x03, 0x00, 0x03, 0x01, (byte)'a', (byte)'b' }, TestName = "RemoveUser_TrailingByte")]
    [TestCase(new byte[] { 0x01, 0x03, 0x00, 0x02, 0x05, (byte)'a' }, TestName = "RemoveUser_UlenOverrunsLen")]
    [TestCase(new byte[] { 0x01, 0x02, 0x00, 0x03, 0x01, (byte)'a', 0x00 }, TestName = "AddUser_EmptyPassword")]
    [TestCase(new byte[] { 0x01, 0x02, 0x00, 0x02, 0x01, (byte)'a' }, TestName = "AddUser_MissingPlen")]
    [TestCase(new byte[] { 0x01, 0x02, 0x00, 0x05, 0x01, (byte)'a', 0x01, (byte)'b', (byte)'c' }, TestName = "AddUser_TrailingByte")]
    public async Task Malformed_Frame_AnswersErrorThenServesNextRequest(byte[] frame)
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.Concat(frame, Frames.ToggleDissector));

        (await client.ReadAsync(9)).Should().Equal(Frames.Concat(Frames.Error, Frames.DissectorOn));
        harness.Backend.Store.Count.Should().Be(0);
    }

    [Test]
    public async Task OversizedAddUser_HeaderOnly_AnswersErrorBeforePayloadThenSkipsIt()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        // LEN 600 > 512: rejected from the header alone, before any payload byte arrives.
        await client.SendAsync(0x01, 0x02, 0x02, 0x58);
        (await client.ReadAsync(4)).Should().Equal(Frames.Error);

        // The 600 payload bytes are discarded as they come (they look like requests, but are not).
        var payload = Enumerable.Range(0, 150).SelectMany(_ => Frames.ToggleDissector).ToArray();
        await client.SendAsync(Frames.Concat(payload[..250]));
        await harness.WaitUntilAsync(s => s.BytesReceived == 4 + 250 && s.BufferedRequestBytes == 0);
        await client.SendAsync(Frames.Concat(payload[250..], Frames.GetMetrics));

        (await client.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);
        harness.Backend.DissectorEnabled.Should().BeFalse();
        harness.Statistics.PeakRequestBufferBytes.Should().BeLessThan(600, "the rejected payload is skipped as it arrives, never buffered whole");
    }

    [Test]
    public async Task UnknownVersion_FirstFrame_AnswersErrorThenCloses()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(0x02, 0x00, 0x00, 0x00);

        (await client.ReadToEndAsync()).Should().Equal(Frames.Error);
        await harness.WaitUntilAsync(s => s.ActiveConnections == 0);
        harness.Logger.Entries.Should().Contain(e => e.Level == LogLevel.Information && e.Text.Contains("Unsupported protocol version 0x02"));
    }

    [Test]
    public async Task UnknownVersion_AfterPipelinedRequests_AnswersThoseThenErrorThenCloses()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        // Everything after the bad VER byte is ignored: the TOGGLE_DISECTOR behind it is not carried out.
        await client.SendAsync(Frames.Concat(Frames.GetMetrics, Frames.ListUsers, [0x00, 0x00, 0x00, 0x00], Frames.ToggleDissector));

        (await client.ReadToEndAsync()).Should().Equal(Frames.Concat(Frames.FixedMetrics, Frames.NoUsers, Frames.Error));
        harness.Backend.DissectorEnabled.Should().BeFalse();
    }

    [Test]
    public async Task UnknownVersion_AfterOneByte_AnswersWithoutWaitingForTheRestOfTheHeader()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(0x7F);

        (await client.ReadToEndAsync()).Should().Equal(Frames.Error);
    }

    [Test]
    public async Task UnknownCommand_WithPayload_AnswersNotSupportedAndKeepsServing()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(0x01, 0x09, 0x00, 0x03, 0x01, 0x04, 0x00);
        (await client.ReadAsync(4)).Should().Equal(Frames.CommandNotSupported);

        await client.SendAsync(Frames.Concat([0x01, 0xFF, 0x00, 0x00], Frames.ToggleDissector));
        (await client.ReadAsync(9)).Should().Equal(Frames.Concat(Frames.CommandNotSupported, Frames.DissectorOn));
    }

    [Test]
    public async Task ClientCloses_MidFrame_ServerClosesConnection()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();
        await client.SendAsync(Frames.GetMetrics);
        await client.ReadAsync(Frames.FixedMetrics.Length);

        await client.SendAsync(Frames.AddAlice[..6]);
        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        (await client.ReadToEndAsync()).Should().BeEmpty();
        await harness.WaitUntilAsync(s => s.ActiveConnections == 0);
        harness.Backend.Store.Count.Should().Be(0);
        harness.Logger.Entries.Should().Contain(e => e.Text.Contains("ClientClosedMidFrame"));
    }

    [Test]
    public async Task ClientHalfCloses_AfterPipelinedRequests_StillGetsEveryAnswer()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.Concat(Frames.AddAlice, Frames.ListUsers));
        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        var expected = Frames.Concat(Frames.Ok, [0x01, 0x00, 0x00, 0x07, 0x01, 0x05, .. "alice"u8.ToArray()]);
        (await client.ReadToEndAsync()).Should().Equal(expected);
    }
}
