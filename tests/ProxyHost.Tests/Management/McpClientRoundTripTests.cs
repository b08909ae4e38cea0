using Mcp.Protocol;

namespace ProxyHost.Tests.Management;

/// <summary>The project's own <see cref="McpClient"/> against the server: all five commands, statuses and errors.</summary>
public class McpClientRoundTripTests
{
    [Test]
    public async Task AllFiveCommands_OneConnection_RoundTrip()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectClientAsync();
        var timeout = ServerHarness.Timeout;

        (await client.GetMetricsAsync().WaitAsync(timeout)).Should().Be(TestBackend.FixedMetrics);
        (await client.ListUsersAsync().WaitAsync(timeout)).Should().BeEmpty();

        await client.AddUserAsync("alice", "pw1").WaitAsync(timeout);
        await client.AddUserAsync("bob", "pw2").WaitAsync(timeout);
        var users = await client.ListUsersAsync().WaitAsync(timeout);
        users.Should().HaveCount(2);
        users[0].Should().Equal("alice"u8.ToArray());
        users[1].Should().Equal("bob"u8.ToArray());
        (await harness.Backend.Store.ValidateAsync("bob"u8.ToArray(), "pw2"u8.ToArray(), CancellationToken.None)).Should().BeTrue();

        await client.RemoveUserAsync("alice").WaitAsync(timeout);
        (await client.ListUsersAsync().WaitAsync(timeout)).Should().ContainSingle().Which.Should().Equal("bob"u8.ToArray());

        (await client.ToggleDissectorAsync().WaitAsync(timeout)).Should().BeTrue();
        (await client.ToggleDissectorAsync().WaitAsync(timeout)).Should().BeFalse();
        harness.Statistics.AcceptedConnections.Should().Be(1);
    }

    [Test]
    public async Task NonOkStatuses_ThrowStatusExceptionAndConnectionStaysUsable()
    {
        await using var harness = ServerHarness.Start(backend: new TestBackend(maxUsers: 1));
        await using var client = await harness.ConnectClientAsync();
        var timeout = ServerHarness.Timeout;
        await client.AddUserAsync("alice", "pw1").WaitAsync(timeout);

        var exists = async () => await client.AddUserAsync("alice", "again").WaitAsync(timeout);
        (await exists.Should().ThrowAsync<McpStatusException>()).Which.Status.Should().Be(McpStatus.UserExists);

        var limit = async () => await client.AddUserAsync("bob", "pw2").WaitAsync(timeout);
        (await limit.Should().ThrowAsync<McpStatusException>()).Which.Status.Should().Be(McpStatus.UserLimit);

        var missing = async () => await client.RemoveUserAsync("carol").WaitAsync(timeout);
        (await missing.Should().ThrowAsync<McpStatusException>()).Which.Status.Should().Be(McpStatus.UserNotFound);

        var unknown = await client.SendAsync(McpRequest.WithoutPayload((McpCommand)0x2A)).WaitAsync(timeout);
        unknown.Status.Should().Be(McpStatus.CommandNotSupported);

        (await client.GetMetricsAsync().WaitAsync(timeout)).Should().Be(TestBackend.FixedMetrics);
    }

    [Test]
    public async Task BinaryCredentials_FullLength_RoundTripByteForByte()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectClientAsync();
        var name = Enumerable.Range(0, 255).Select(i => (byte)(255 - i)).ToArray();
        var password = Enumerable.Range(0, 255).Select(i => (byte)i).ToArray();

        await client.AddUserAsync(name, password).WaitAsync(ServerHarness.Timeout);

        (await client.ListUsersAsync().WaitAsync(ServerHarness.Timeout)).Should().ContainSingle().Which.Should().Equal(name);
        (await harness.Backend.Store.ValidateAsync(name, password, CancellationToken.None)).Should().BeTrue();
    }
}
