using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EndToEnd.Tests.Fleet;

/// <summary>A real HAProxy in <c>mode tcp</c> on a loopback port in front of SOCKS nodes (docs/fleet.md); stopped by Dispose.</summary>
internal sealed class HaproxyServer : IAsyncDisposable
{
    private readonly Process _process;

    private HaproxyServer(Process process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    /// <summary>Where clients connect.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Writes the configuration of docs/fleet.md for <paramref name="nodes"/> (round robin, so a test knows who serves whom) and starts HAProxy.</summary>
    public static async Task<HaproxyServer> StartAsync(string directory, IReadOnlyList<IPEndPoint> nodes)
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "haproxy.cfg");
        var servers = string.Join("\n", nodes.Select((node, i) => $"    server node{i} {node}"));
        await File.WriteAllTextAsync(config, $"""
            global
                maxconn 1000

            defaults
                mode tcp
                timeout connect 5s
                timeout client 15m
                timeout server 15m

            frontend socks
                bind 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}
                default_backend socks5d

            backend socks5d
                balance roundrobin
                default-server check inter 1s fall 3 rise 2
            {servers}

            """);
        var executable = File.Exists("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy";
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-db", "-f", config })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new HaproxyServer(process, new IPEndPoint(IPAddress.Loopback, port));
        var deadline = DateTime.UtcNow + TestTimeouts.Generous;
        while (!await AcceptsAsync(server.EndPoint))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"haproxy did not start on port {port} (exit {(process.HasExited ? process.ExitCode : -1)})");
            }

            await Task.Delay(20);
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Generous);
        }

        _process.Dispose();
    }

    private static async Task<bool> AcceptsAsync(IPEndPoint endPoint)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endPoint).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception exception) when (exception is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
