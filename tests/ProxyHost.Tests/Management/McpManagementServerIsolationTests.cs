using System.Text;
using Mcp.Protocol;
using ProxyHost.Management;

namespace ProxyHost.Tests.Management;

/// <summary>Many admin clients at once: none can block another, and none can make the server hold more than a frame.</summary>
public class McpManagementServerIsolationTests
{
    [Test]
    public async Task ConcurrentClients_EachPipelinesRequests_AllAnsweredCorrectly()
    {
        await using var harness = ServerHarness.Start(backend: new TestBackend(maxUsers: 255));
        const int clients = 16;

        var runs = Enumerable.Range(0, clients).Select(async i =>
        {
            await using var client = await harness.ConnectClientAsync();
            var name = $"user{i:D2}";

            // Every call is issued before any answer is awaited: the requests are pipelined on the connection.
            var metrics = Enumerable.Range(0, 20).Select(_ => client.GetMetricsAsync()).ToArray();
            var add = client.AddUserAsync(name, "pw");
            var shared = client.SendAsync(McpRequest.AddUser("shared"u8.ToArray(), "x"u8.ToArray()));
            var list = client.ListUsersAsync();

            (await Task.WhenAll(metrics).WaitAsync(ServerHarness.Timeout)).Should().AllBeEquivalentTo(TestBackend.FixedMetrics);
            await add.WaitAsync(ServerHarness.Timeout);
            var users = await list.WaitAsync(ServerHarness.Timeout);
            users.Select(u => Encoding.ASCII.GetString(u)).Should().Contain([name, "shared"]);
            return (await shared.WaitAsync(ServerHarness.Timeout)).Status;
        });

        var sharedStatuses = await Task.WhenAll(runs).WaitAsync(ServerHarness.Timeout);

        // Every client raced to add "shared": exactly one won.
        sharedStatuses.Count(s => s == McpStatus.Ok).Should().Be(1);
        sharedStatuses.Count(s => s == McpStatus.UserExists).Should().Be(clients - 1);
        harness.Statistics.AcceptedConnections.Should().Be(clients);
        var names = harness.Backend.Store.ListUsers().Select(u => Encoding.ASCII.GetString(u)).ToList();
        names.Should().HaveCount(clients + 1).And.OnlyHaveUniqueItems();
    }

    [Test]
    public async Task SlowAddUser_OtherClientsAndEarlierAnswersAreNotDelayed()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = new TestBackend { AddUserGate = gate.Task };
        await using var harness = ServerHarness.Start(backend: backend);
        await using var slow = await harness.ConnectRawAsync();
        await using var other = await harness.ConnectRawAsync();

        // GET_METRICS, then an ADD_USER that stalls in the backend (as PBKDF2 + fsync would), then TOGGLE_DISECTOR.
        await slow.SendAsync(Frames.Concat(Frames.GetMetrics, Frames.AddAlice, Frames.ToggleDissector));
        await backend.AddUserEntered.WaitAsync(ServerHarness.Timeout);

        // The answer to the request before the slow one is already out.
        (await slow.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);

        // Another admin connection is served meanwhile.
        await other.SendAsync(Frames.Concat(Frames.ListUsers, Frames.GetMetrics));
        (await other.ReadAsync(5 + Frames.FixedMetrics.Length)).Should().Equal(Frames.Concat(Frames.NoUsers, Frames.FixedMetrics));

        gate.SetResult();

        // Order is kept on the slow connection: ADD_USER's answer, then TOGGLE_DISECTOR's.
        (await slow.ReadAsync(9)).Should().Equal(Frames.Concat(Frames.Ok, Frames.DissectorOn));
    }

    [Test]
    public async Task StalledPartialFrame_LargeLen_DoesNotBlockOtherClient()
    {
        await using var harness = ServerHarness.Start();
        await using var stalled = await harness.ConnectRawAsync();
        await using var other = await harness.ConnectRawAsync();

        // An unknown command announcing LEN 60000 (0xEA60), then only 100 payload bytes, then silence.
        await stalled.SendAsync([0x01, 0x09, 0xEA, 0x60, .. new byte[100]]);
        await harness.WaitUntilAsync(s => s.BytesReceived == 104);

        await other.SendAsync(Frames.Concat(Frames.GetMetrics, Frames.AddAlice, Frames.ListUsers, Frames.RemoveAlice, Frames.ToggleDissector));
        var expected = Frames.Concat(
            Frames.FixedMetrics, Frames.Ok, [0x01, 0x00, 0x00, 0x07, 0x01, 0x05, .. "alice"u8.ToArray()], Frames.Ok, Frames.DissectorOn);
        (await other.ReadAsync(expected.Length)).Should().Equal(expected);

        // The stalled frame is still served correctly once the rest arrives.
        await stalled.SendAsync([.. new byte[59_900], .. Frames.GetMetrics]);
        (await stalled.ReadAsync(4 + Frames.FixedMetrics.Length)).Should().Equal(Frames.Concat(Frames.CommandNotSupported, Frames.FixedMetrics));
        harness.Statistics.PeakRequestBufferBytes.Should().BeLessThanOrEqualTo(4 + 65_535 + McpConnection.ReadBufferSize);
    }

    [Test]
    public async Task ClientNeverReads_FloodOfRequests_ServerStopsReadingItHoldsAtMostOneBatchAndServesOthers()
    {
        // 255 names of 255 bytes: every 4-byte LIST_USERS asks for a 65285-byte answer.
        var backend = new TestBackend { ListUsersOverride = [.. Enumerable.Range(0, 255).Select(i => Enumerable.Repeat((byte)i, 255).ToArray())] };
        await using var harness = ServerHarness.Start(backend: backend);
        await using var flood = await harness.ConnectRawAsync();
        await using var other = await harness.ConnectClientAsync();

        // 4000 requests = 16000 bytes, whose answers (261 MB) dwarf any socket buffer. The flooder never reads.
        const int requests = 4000;
        var floodBytes = Enumerable.Range(0, requests).SelectMany(_ => Frames.ListUsers).ToArray();
        var send = flood.SendAsync(floodBytes);

        // The server's send to the flooder blocks once the kernel buffers are full...
        await harness.WaitUntilAsync(s => s.StalledWrites == 1);
        var receivedWhenStalled = harness.Statistics.BytesReceived;
        var answeredWhenStalled = harness.Statistics.ResponsesWritten;

        // ...and then it neither reads from it nor answers it, while another client is served in full.
        (await other.GetMetricsAsync().WaitAsync(ServerHarness.Timeout)).Should().Be(TestBackend.FixedMetrics);
        (await other.ListUsersAsync().WaitAsync(ServerHarness.Timeout)).Should().HaveCount(255);
        (await other.ToggleDissectorAsync().WaitAsync(ServerHarness.Timeout)).Should().BeTrue();

        var statistics = harness.Statistics;
        TestContext.Out.WriteLine($"received {receivedWhenStalled}, answered {answeredWhenStalled}, peak request {statistics.PeakRequestBufferBytes}, peak response {statistics.PeakResponseBufferBytes}");
        statistics.BytesReceived.Should().Be(receivedWhenStalled + (3 * 4), "only the other client's three requests were read");
        statistics.ResponsesWritten.Should().Be(answeredWhenStalled + 3);
        receivedWhenStalled.Should().BeLessThan(floodBytes.Length, "the server stopped reading the flooder");
        statistics.StalledWrites.Should().Be(1);

        // Memory held for the flooder: one read of requests (plus a partial header at most), one batch of answers
        // (threshold + one answer).
        statistics.PeakRequestBufferBytes.Should().BeLessThanOrEqualTo(McpConnection.ReadBufferSize + 3);
        statistics.PeakResponseBufferBytes.Should().BeLessThanOrEqualTo(McpConnection.FlushThreshold + 65_285);
        statistics.BufferedRequestBytes.Should().BeLessThanOrEqualTo(McpConnection.ReadBufferSize + 3);
        send.IsFaulted.Should().BeFalse();
    }

    [Test]
    public async Task ClientNeverReads_IdleTimeoutPasses_StalledConnectionIsClosed()
    {
        var backend = new TestBackend { ListUsersOverride = [.. Enumerable.Range(0, 255).Select(i => Enumerable.Repeat((byte)i, 255).ToArray())] };
        await using var harness = ServerHarness.Start(backend: backend);
        await using var flood = await harness.ConnectRawAsync();
        _ = flood.SendAsync(Enumerable.Range(0, 4000).SelectMany(_ => Frames.ListUsers).ToArray());
        await harness.WaitUntilAsync(s => s.StalledWrites == 1);

        harness.Time.Advance(harness.Options.IdleTimeout);

        await harness.WaitUntilAsync(s => s.ActiveConnections == 0 && s.StalledWrites == 0);
        harness.Logger.Entries.Should().Contain(e => e.Text.Contains("no progress for") && e.Text.Contains("closing"));
    }
}
