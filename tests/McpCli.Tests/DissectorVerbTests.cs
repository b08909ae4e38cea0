using System.Globalization;
using McpCli.Tests.Support;

namespace McpCli.Tests;

/// <summary>
/// The real mcpctl binary's <c>dissector status|on|off</c> against servers written by hand: the exact extension
/// frames it sends (docs/mcp-protocol.md §13.4-§13.5), what it prints, and a server that only knows the memo.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class DissectorVerbTests
{
    private static string[] Args(FakeMcpServer server, params string[] args) =>
        [.. args, "--port", server.Port.ToString(CultureInfo.InvariantCulture)];

    [TestCase("status", "01 83 00 00", 0x01, "dissector is on")]
    [TestCase("status", "01 83 00 00", 0x00, "dissector is off")]
    [TestCase("on", "01 84 00 01 01", 0x01, "dissector is now on")]
    [TestCase("off", "01 84 00 01 00", 0x00, "dissector is now off")]
    public async Task Dissector_Action_SendsTheExtensionFrameAndPrintsTheState(string action, string request, int state, string printed)
    {
        await using var server = FakeMcpServer.Start(Reply.Ok((byte)state));

        var result = await Mcpctl.RunAsync(Args(server, "dissector", action));

        result.Should().Be(new RunResult(0, printed + "\n", ""));
        server.Requests.Select(Hex.Format).Should().Equal(request);
    }

    [TestCase("status", "{\"dissector\":false}")]
    [TestCase("on", "{\"dissector\":true}")]
    public async Task Dissector_Json_PrintsTheState(string action, string json)
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(action == "on" ? (byte)1 : (byte)0));

        var result = await Mcpctl.RunAsync(Args(server, "dissector", "--json", action));

        result.Should().Be(new RunResult(0, json + "\n", ""));
    }

    [TestCase("status", "mcpctl: the server does not support reading the dissector state (GET_DISSECTOR answered CMD_NOT_SUPPORTED); 'mcpctl toggle-dissector' works with every MCP server")]
    [TestCase("on", "mcpctl: the server does not support setting the dissector state (SET_DISSECTOR answered CMD_NOT_SUPPORTED); 'mcpctl toggle-dissector' works with every MCP server")]
    [TestCase("off", "mcpctl: the server does not support setting the dissector state (SET_DISSECTOR answered CMD_NOT_SUPPORTED); 'mcpctl toggle-dissector' works with every MCP server")]
    public async Task Dissector_ServerWithOnlyTheMemosCommands_Exits2WithOneClearLine(string action, string message)
    {
        // A server written from the memo alone: it knows 0x00-0x04 and answers anything else CMD_NOT_SUPPORTED.
        await using var server = FakeMcpServer.Start(request => request[1] <= 0x04 ? Reply.Ok(0x01) : Reply.Status(0x02));

        var result = await Mcpctl.RunAsync(Args(server, "dissector", action));

        result.Should().Be(new RunResult(2, "", message + "\n"));

        (await Mcpctl.RunAsync(Args(server, "toggle-dissector"))).Should().Be(new RunResult(0, "dissector is now on\n", ""), "the memo's verb still works there");
    }

    [Test]
    public async Task Dissector_SetAnsweredError_Exits1SayingSo()
    {
        // ERROR on a connection that stays open: the command failed (not a refusal; see ClientCommand).
        await using var server = FakeMcpServer.Start(request => request[1] == 0x84 ? Reply.Status(0x01) : Reply.Ok(new byte[48]));

        var result = await Mcpctl.RunAsync(Args(server, "dissector", "on"));

        result.Should().Be(new RunResult(1, "", "mcpctl: the server could not set the dissector state (ERROR)\n"));
    }

    [Test]
    public async Task Dissector_MalformedState_Exits69AsAProtocolError()
    {
        await using var server = FakeMcpServer.Start(Reply.Ok(0x02));

        var result = await Mcpctl.RunAsync(Args(server, "dissector", "status"));

        result.ExitCode.Should().Be(69);
        result.StderrLines.Should().Equal(
            $"mcpctl: protocol error from 127.0.0.1:{server.Port}: malformed response to GET_DISSECTOR: STATE is 0x02; it must be 0x00 (off) or 0x01 (on)");
    }

    [TestCase(new[] { "dissector" }, "mcpctl: missing argument ACTION")]
    [TestCase(new[] { "dissector", "toggle" }, "mcpctl: ACTION must be status, on or off, got 'toggle'")]
    [TestCase(new[] { "dissector", "ON" }, "mcpctl: ACTION must be status, on or off, got 'ON'")]
    [TestCase(new[] { "dissector", "on", "off" }, "mcpctl: unexpected argument 'off'")]
    public async Task Dissector_BadAction_Exits64BeforeConnecting(string[] args, string message)
    {
        var result = await Mcpctl.RunAsync([.. args, "-P", "1"]);

        result.ExitCode.Should().Be(64);
        result.StderrLines.Should().Equal(message, "Usage: mcpctl dissector [OPTIONS] ACTION", "Try 'mcpctl dissector --help' for more information.");
        result.Stdout.Should().BeEmpty();
    }
}
