using System.Diagnostics;
using System.Globalization;
using McpCli.Tests.Support;

namespace McpCli.Tests;

/// <summary>The real mcpctl with a real terminal on stdin: the password prompt.</summary>
[TestFixture]
[Platform(Include = "Linux")]
[CancelAfter(60_000)]
public sealed class TerminalPromptTests
{
    // Upper bound per step (startup included); the test never waits this long when mcpctl works.
    internal static readonly TimeSpan StepLimit = TimeSpan.FromSeconds(20);

    [Test]
    public async Task AddUser_StdinIsTerminal_PromptsTwiceOnStderrWithoutEcho(CancellationToken cancellationToken)
    {
        await using var server = FakeMcpServer.Start(Reply.Ok());
        using var terminal = PseudoTerminal.Open();
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // stdin and stderr on the terminal, stdout on a pipe the test reads.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("tty=$1; shift; exec \"$@\" <\"$tty\" 2>\"$tty\"");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(terminal.SecondaryPath);
        start.ArgumentList.Add(Mcpctl.DotnetHost());
        start.ArgumentList.Add(Mcpctl.Dll);
        foreach (var arg in new[] { "add-user", "alice", "--port", server.Port.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);

            // Type only once each prompt is on the screen: echo must already be off by then.
            await terminal.WaitForAsync("Password: ", process, StepLimit);
            terminal.Type("s3cret\r");
            await terminal.WaitForAsync("Retype password: ", process, StepLimit);
            terminal.Type("s3cret\r");
            await process.WaitForExitAsync(cancellationToken);
            await terminal.CloseAsync();

            process.ExitCode.Should().Be(0, terminal.Screen);
            (await stdout).Should().Be("user 'alice' added\n");
            terminal.Screen.Should().NotContain("s3cret", "the password must not be echoed");
            terminal.Screen.Should().NotContain("   at ");
            server.Requests.Select(Hex.Format).Should().Equal("01 02 00 0D 05 61 6C 69 63 65 06 73 33 63 72 65 74");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
