using System.Text;
using Microsoft.Extensions.Logging;

namespace ProxyHost.Tests.Management;

/// <summary>Every command's exact answer bytes, on one connection each, against the hand-written frames.</summary>
public class McpManagementServerCommandTests
{
    [Test]
    public async Task GetMetrics_FixedCounters_AnswersSixBigEndianCounters()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.GetMetrics);

        (await client.ReadAsync(Frames.FixedMetrics.Length)).Should().Equal(Frames.FixedMetrics);
    }

    [Test]
    public async Task ListUsers_NoUsers_AnswersCountZero()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.ListUsers);

        (await client.ReadAsync(Frames.NoUsers.Length)).Should().Equal(Frames.NoUsers);
    }

    [Test]
    public async Task ListUsers_TwoUsers_AnswersNamesInOrder()
    {
        await using var harness = ServerHarness.Start();
        harness.Backend.Store.Add("alice"u8, "pw1"u8);
        harness.Backend.Store.Add("bob"u8, "pw2"u8);
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.ListUsers);

        (await client.ReadAsync(Frames.AliceAndBob.Length)).Should().Equal(Frames.AliceAndBob);
    }

    [Test]
    public async Task ListUsers_FullList_AnswersLargestPayload()
    {
        // 255 names of 255 bytes: LEN = 1 + 255 * 256 = 65281 = 0xFF01, the largest LIST_USERS answer.
        await using var harness = ServerHarness.Start();
        harness.Backend.ListUsersOverride = [.. Enumerable.Range(0, 255).Select(i => Enumerable.Repeat((byte)i, 255).ToArray())];
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.ListUsers);

        var response = await client.ReadAsync(4 + 65281);
        response[..5].Should().Equal(0x01, 0x00, 0xFF, 0x01, 0xFF);
        response[5].Should().Be(255);
        response[6..261].Should().OnlyContain(b => b == 0);
        response[^256].Should().Be(255);
        response[^255..].Should().OnlyContain(b => b == 254);
    }

    [Test]
    public async Task AddUser_NewUser_AnswersOkAndUserCanAuthenticate()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.AddAlice);

        (await client.ReadAsync(4)).Should().Equal(Frames.Ok);
        harness.Backend.Store.ListUsers().Should().ContainSingle().Which.Should().Equal("alice"u8.ToArray());
        (await harness.Backend.Store.ValidateAsync("alice"u8.ToArray(), "pw1"u8.ToArray(), CancellationToken.None)).Should().BeTrue();
    }

    [Test]
    public async Task AddUser_ExistingUser_AnswersUserExists()
    {
        await using var harness = ServerHarness.Start();
        harness.Backend.Store.Add("alice"u8, "other"u8);
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.AddAlice);

        (await client.ReadAsync(4)).Should().Equal(Frames.UserExists);
    }

    [Test]
    public async Task AddUser_StoreFull_AnswersUserLimit()
    {
        await using var harness = ServerHarness.Start(backend: new TestBackend(maxUsers: 1));
        harness.Backend.Store.Add("bob"u8, "pw2"u8);
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.AddAlice);

        (await client.ReadAsync(4)).Should().Equal(Frames.UserLimit);
        harness.Backend.Store.Count.Should().Be(1);
    }

    [Test]
    public async Task RemoveUser_ExistingUser_AnswersOkAndUserIsGone()
    {
        await using var harness = ServerHarness.Start();
        harness.Backend.Store.Add("alice"u8, "pw1"u8);
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.RemoveAlice);

        (await client.ReadAsync(4)).Should().Equal(Frames.Ok);
        harness.Backend.Store.Count.Should().Be(0);
    }

    [Test]
    public async Task RemoveUser_UnknownUser_AnswersUserNotFound()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.RemoveAlice);

        (await client.ReadAsync(4)).Should().Equal(Frames.UserNotFound);
    }

    [Test]
    public async Task ToggleDissector_Twice_AnswersOnThenOff()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.ToggleDissector);
        (await client.ReadAsync(5)).Should().Equal(Frames.DissectorOn);
        harness.Backend.DissectorEnabled.Should().BeTrue();

        await client.SendAsync(Frames.ToggleDissector);
        (await client.ReadAsync(5)).Should().Equal(Frames.DissectorOff);
        harness.Backend.DissectorEnabled.Should().BeFalse();
    }

    [Test]
    public async Task ListUsers_BackendThrows_AnswersErrorLogsAndKeepsServing()
    {
        await using var harness = ServerHarness.Start();
        harness.Backend.ListUsersFailure = new InvalidOperationException("backend broken");
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.Concat(Frames.ListUsers, Frames.GetMetrics));

        (await client.ReadAsync(4 + Frames.FixedMetrics.Length)).Should().Equal(Frames.Concat(Frames.Error, Frames.FixedMetrics));
        harness.Logger.Entries.Should().Contain(e => e.Level == LogLevel.Error && e.Text.Contains("LIST_USERS") && e.Text.Contains("backend broken"));
    }

    [Test]
    public async Task ListUsers_BackendReturnsTooManyUsers_AnswersErrorInsteadOfBadFrame()
    {
        await using var harness = ServerHarness.Start();
        harness.Backend.ListUsersOverride = [.. Enumerable.Range(0, 256).Select(i => new[] { (byte)'u', (byte)i })];
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.Concat(Frames.ListUsers, Frames.ToggleDissector));

        (await client.ReadAsync(9)).Should().Equal(Frames.Concat(Frames.Error, Frames.DissectorOn));
    }

    [Test]
    public async Task AddUser_Accepted_LogsEscapedNameButNeverThePassword()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        // User "ev\nil" (a newline that could forge a log line), password "Secret-Pw".
        byte[] request = [0x01, 0x02, 0x00, 0x10, 0x05, (byte)'e', (byte)'v', 0x0A, (byte)'i', (byte)'l', 0x09, .. "Secret-Pw"u8.ToArray()];
        request[3] = (byte)(request.Length - 4);
        await client.SendAsync(request);
        (await client.ReadAsync(4)).Should().Equal(Frames.Ok);
        await client.SendAsync(request);
        (await client.ReadAsync(4)).Should().Equal(Frames.UserExists);

        var text = string.Join("\n", harness.Logger.Entries.Select(e => e.Text));
        text.Should().Contain("user \"ev\\x0Ail\" added");
        text.Should().Contain("ADD_USER \"ev\\x0Ail\" refused: USER_EXISTS");
        text.Should().NotContain("Secret");
        text.Should().NotContain(Convert.ToHexString(Encoding.ASCII.GetBytes("Secret-Pw")));
    }
}
