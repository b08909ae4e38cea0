using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EndToEnd.Tests.Fleet;

/// <summary>
/// A real redis-server of its own on a loopback port, with the durability docs/fleet.md asks for (appendonly yes,
/// appendfsync always) in a directory of the test, so a restart keeps what was acknowledged. Stopped by Dispose.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    /// <summary>Where redis keeps its append-only file.</summary>
    public string Directory { get; }

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary>HOST:PORT for --redis.</summary>
    public string EndPoint => $"127.0.0.1:{Port}";

    /// <summary>Starts redis-server on a free loopback port and waits until it answers PING.</summary>
    public static async Task<RedisServer> StartAsync(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var server = new RedisServer(directory, FreeLoopbackPort());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts redis again on the same port and directory (after <see cref="KillAsync"/>).</summary>
    public async Task StartAgainAsync()
    {
        _process = Launch(
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", Directory, "--daemonize", "no",
        ]);
        var deadline = DateTime.UtcNow + TestTimeouts.Generous;
        while (!await AnswersPingAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not start (exit {(_process.HasExited ? _process.ExitCode : -1)})");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>A loopback port the OS hands out, closed again: redis cannot listen on port 0 and report the port it got.</summary>
    internal static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>Starts redis-server with <paramref name="arguments"/>; its output is read and dropped.</summary>
    internal static Process Launch(IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Kills redis (SIGKILL: a crash, not a shutdown) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(TestTimeouts.Generous);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port)).WaitAsync(TimeSpan.FromSeconds(2));
            await socket.SendAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var n = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
