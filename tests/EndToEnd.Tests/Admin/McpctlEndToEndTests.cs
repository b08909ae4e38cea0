using System.Text.Json;
using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Admin;

/// <summary>The real mcpctl against the real socks5d: every verb, and users that take effect for the next handshake.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class McpctlEndToEndTests
{
    [Test]
    public async Task Mcpctl_EveryVerb_WorksAgainstRealSocks5d()
    {
        await using var web = new TinyWebServer();
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "admin:adminpw");
        var url = $"http://127.0.0.1:{web.Port}/";

        (await proxy.McpctlAsync("list-users")).Should().Be(new RunResult(0, "admin\n", ""));

        (await proxy.McpctlAsync("add-user", "carol", "c4rol-pw")).Should().Be(new RunResult(0, "user 'carol' added\n", ""));
        (await Curl.RunAsync($"socks5h://carol:c4rol-pw@127.0.0.1:{proxy.Socks.Port}", url)).Should().Be((0, TinyWebServer.Body), "an added user authenticates at once");

        (await proxy.McpctlWithInputAsync("pässwörd\n", "add-user", "--password-stdin", "José")).ExitCode.Should().Be(0);
        (await proxy.McpctlAsync("add-user", "Carol", "other")).ExitCode.Should().Be(0, "names are compared byte for byte: Carol is not carol");
        var again = await proxy.McpctlAsync("add-user", "carol", "whatever");
        again.ExitCode.Should().Be(4);
        again.Stderr.Should().Be("mcpctl: user 'carol' already exists (USER_EXISTS)\n");
        (await Curl.RunAsync($"socks5h://carol:whatever@127.0.0.1:{proxy.Socks.Port}", url)).ExitCode.Should().NotBe(0, "USER_EXISTS keeps the old password");

        (await proxy.McpctlAsync("list-users")).Stdout.Should().Be("admin\ncarol\nJosé\nCarol\n");
        (await proxy.McpctlAsync("list-users", "--json")).Stdout.Should().Be("{\"users\":[\"admin\",\"carol\",\"Jos\\u00E9\",\"Carol\"]}\n");

        var metrics = await proxy.McpctlAsync("metrics", "--json");
        metrics.ExitCode.Should().Be(0);
        using (var json = JsonDocument.Parse(metrics.Stdout))
        {
            var root = json.RootElement;
            root.GetProperty("historicalConnections").GetUInt64().Should().Be(2, "two curl sessions so far");
            root.GetProperty("successfulConnections").GetUInt64().Should().Be(1);
            root.GetProperty("bytesTransferred").GetUInt64().Should().BeGreaterThan(root.GetProperty("clientBytes").GetUInt64());
        }

        (await proxy.McpctlAsync("metrics")).StdoutLines.Should().HaveCount(6).And.Contain(line => line.StartsWith("Successful connections", StringComparison.Ordinal));

        (await proxy.McpctlAsync("toggle-dissector")).Stdout.Should().Be("dissector is now off\n", "it starts on without -N");
        (await proxy.McpctlAsync("toggle-dissector", "--json")).Stdout.Should().Be("{\"dissector\":true}\n");

        (await proxy.McpctlAsync("remove-user", "carol")).Should().Be(new RunResult(0, "user 'carol' removed\n", ""));
        (await Curl.RunAsync($"socks5h://carol:c4rol-pw@127.0.0.1:{proxy.Socks.Port}", url)).ExitCode.Should().NotBe(0, "a removed user is refused at once");
        var missing = await proxy.McpctlAsync("remove-user", "carol");
        missing.ExitCode.Should().Be(3);
        missing.Stderr.Should().Be("mcpctl: user 'carol' does not exist (USER_NOT_FOUND)\n");
        (await Curl.RunAsync($"socks5h://admin:adminpw@127.0.0.1:{proxy.Socks.Port}", url)).Should().Be((0, TinyWebServer.Body));
        web.Requests.Should().Be(2);
    }

    [Test]
    public async Task ToggleDissector_StartedWithN_FirstToggleTurnsItOn()
    {
        await using var proxy = await RunningProxy.StartAsync("-N", "-l", "127.0.0.1", "-p", "0", "-u", "admin:adminpw");

        (await proxy.McpctlAsync("toggle-dissector")).Stdout.Should().Be("dissector is now on\n");
        (await proxy.McpctlAsync("toggle-dissector")).Stdout.Should().Be("dissector is now off\n");
    }

    [Test]
    public async Task AddUser_AtMaxUsers_AnswersUserLimitAndCommandLineUsersCount()
    {
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "--max-users", "2", "-u", "admin:adminpw");

        (await proxy.McpctlAsync("add-user", "bob", "b0b-pw")).ExitCode.Should().Be(0);
        var full = await proxy.McpctlAsync("add-user", "carol", "c4rol-pw");
        full.ExitCode.Should().Be(5);
        full.Stderr.Should().Be("mcpctl: cannot add user 'carol': the server's user limit is reached (USER_LIMIT)\n");

        (await proxy.McpctlAsync("remove-user", "admin")).ExitCode.Should().Be(0, "a -u user can be removed like any other");
        (await proxy.McpctlAsync("add-user", "carol", "c4rol-pw")).ExitCode.Should().Be(0, "its place is free again");
        (await proxy.McpctlAsync("list-users")).Stdout.Should().Be("bob\ncarol\n");
    }

    [Test]
    public async Task RemoveUser_OpenSessionOfThatUser_IsClosedAtOnceOthersStay()
    {
        await using var echo = new EchoServer();
        await using var proxy = await RunningProxy.StartAsync("-l", "127.0.0.1", "-p", "0", "-u", "admin:adminpw");
        (await proxy.McpctlAsync("add-user", "carol", "c4rol-pw")).ExitCode.Should().Be(0);
        using var carols = await SocksTestClient.TryOpenAsync(proxy.Socks, echo.EndPoint, "carol", "c4rol-pw");
        using var admins = await SocksTestClient.TryOpenAsync(proxy.Socks, echo.EndPoint, "admin", "adminpw");
        carols.Should().NotBeNull();
        admins.Should().NotBeNull();
        await carols!.SendAsync("before"u8.ToArray());
        (await carols.ReceiveAsync(6)).Should().Equal("before"u8.ToArray());

        (await proxy.McpctlAsync("remove-user", "carol")).ExitCode.Should().Be(0);

        (await carols.IsClosedByPeerAsync()).Should().BeTrue("removing a user closes that user's relayed sessions at once");
        await admins!.SendAsync("still here"u8.ToArray());
        (await admins.ReceiveAsync(10)).Should().Equal("still here"u8.ToArray(), "other users' sessions are untouched");
        using var retry = await SocksTestClient.ConnectAsync(proxy.Socks);
        (await retry.AuthenticateAsync("carol", "c4rol-pw")).Should().Be(0x01, "the next handshake is refused");
        await proxy.Process.WaitForLineAsync(line => line.Contains("Closed 1 open sessions of a removed user", StringComparison.Ordinal));
    }
}
