using System.Net;
using Mcp.Protocol;

namespace EndToEnd.Tests.Support;

/// <summary>A real socks5d process with its SOCKS and MCP endpoints (MCP on -P 0), and the real mcpctl pointed at it.</summary>
internal sealed class RunningProxy : IAsyncDisposable
{
    private RunningProxy(Socks5dProcess process, IPEndPoint socks, IPEndPoint management)
    {
        Process = process;
        Socks = socks;
        Management = management;
    }

    public Socks5dProcess Process { get; }

    /// <summary>The SOCKS endpoint as 127.0.0.1:PORT.</summary>
    public IPEndPoint Socks { get; }

    /// <summary>The MCP endpoint as bound (address from -L, the real port).</summary>
    public IPEndPoint Management { get; }

    /// <summary>Starts socks5d with <paramref name="arguments"/> (plus -P 0 unless a management port is given) and waits until both listeners are up.</summary>
    public static async Task<RunningProxy> StartAsync(params string[] arguments)
    {
        var process = Socks5dProcess.Start(arguments);
        try
        {
            var (socks, _) = await process.WaitForListeningAsync();
            var management = await process.WaitForManagementAsync();
            return new RunningProxy(process, socks, management);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>mcpctl -P PORT args...</c> against this proxy (stdin is an empty pipe).</summary>
    public Task<RunResult> McpctlAsync(params string[] args) => McpctlWithInputAsync("", args);

    /// <summary>Runs <c>mcpctl -P PORT args...</c> against this proxy with <paramref name="stdin"/> on a pipe.</summary>
    public Task<RunResult> McpctlWithInputAsync(string stdin, params string[] args) =>
        Mcpctl.RunAsync(["-P", Management.Port.ToString(), .. args], stdin);

    /// <summary>An in-process MCP client on 127.0.0.1 and the management port.</summary>
    public Task<McpClient> ConnectMcpAsync() =>
        McpClient.ConnectAsync("127.0.0.1", Management.Port).WaitAsync(TestTimeouts.Generous);

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
