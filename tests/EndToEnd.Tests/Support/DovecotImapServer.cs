using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EndToEnd.Tests.Support;

/// <summary>
/// The real dovecot IMAP server (Debian dovecot-imapd), run in the foreground (<c>dovecot -F</c>) with
/// a configuration of its own in a temporary directory: IMAP only, on 127.0.0.1 at a port the OS chose
/// free (bound to 0 and released; if dovecot then fails to bind it, another is tried), no TLS, clear-text
/// logins allowed, one user <see cref="User"/>/<see cref="Password"/> in a passwd-file. Disposing it
/// stops dovecot and removes the directory.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class DovecotImapServer : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "secret";

    private const int Attempts = 5;

    private readonly string _dir;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private DovecotImapServer(string dir)
    {
        _dir = dir;
    }

    public int Port { get; private set; }

    /// <summary>What dovecot logged (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts dovecot and waits until it greets on its port.</summary>
    public static async Task<DovecotImapServer> StartAsync(CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), "socks5d-dovecot-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var server = new DovecotImapServer(dir);
        try
        {
            for (var attempt = 1; attempt <= Attempts; attempt++)
            {
                if (await server.TryStartAsync(ct))
                {
                    return server;
                }
            }

            throw new InvalidOperationException($"dovecot did not start in {Attempts} attempts: {server.Log}");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<bool> TryStartAsync(CancellationToken ct)
    {
        Port = FreePort();
        var config = Path.Combine(_dir, "dovecot.conf");
        File.WriteAllText(config, Configuration());
        var startInfo = new ProcessStartInfo(File.Exists("/usr/sbin/dovecot") ? "/usr/sbin/dovecot" : "dovecot")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-F", "-c", config })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                started.TrySetResult();
                return;
            }

            lock (_log)
            {
                _log.AppendLine(line);
            }

            if (line.Contains("starting up", StringComparison.Ordinal) || line.Contains("Fatal", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        _process = process;
        await started.Task.WaitAsync(TestTimeouts.Generous, ct);
        if (!process.HasExited && await GreetsAsync(ct))
        {
            return true;
        }

        // Most likely the port was taken between choosing and binding it: try another.
        await StopAsync();
        return false;
    }

    private async Task<bool> GreetsAsync(CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, ct);
            using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            var greeting = await reader.ReadLineAsync(ct).AsTask().WaitAsync(TestTimeouts.Generous, ct);
            return greeting?.StartsWith("* OK", StringComparison.Ordinal) == true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Generous);
        process.Dispose();
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private string Configuration()
    {
        var mail = Path.Combine(_dir, "mail");
        Directory.CreateDirectory(mail);
        File.SetUnixFileMode(mail, (UnixFileMode)0b111_111_111);
        var passwd = Path.Combine(_dir, "passwd");
        File.WriteAllText(passwd, $"{User}:{{PLAIN}}{Password}\n");

        // As root, dovecot runs its login and internal processes as the users the package created, and
        // the mail processes as "dovecot"; as anyone else, everything runs as that user.
        var root = Environment.UserName == "root";
        var internalUser = root ? "dovecot" : Environment.UserName;
        var loginUser = root ? "dovenull" : Environment.UserName;
        return $$"""
            base_dir = {{_dir}}/run
            state_dir = {{_dir}}/state
            log_path = /dev/stderr
            protocols = imap
            listen = 127.0.0.1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            auth_failure_delay = 0
            first_valid_uid = 0
            default_internal_user = {{internalUser}}
            default_login_user = {{loginUser}}
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{passwd}}
            }
            userdb {
              driver = static
              args = uid={{internalUser}} gid={{internalUser}} home={{mail}}/%u
            }
            mail_location = maildir:{{mail}}/%u
            service imap-login {
              chroot =
              inet_listener imap {
                port = {{Port}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            service anvil {
              chroot =
            }
            """;
    }
}
