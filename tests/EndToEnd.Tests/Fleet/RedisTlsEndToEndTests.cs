using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using EndToEnd.Tests.Support;

namespace EndToEnd.Tests.Fleet;

/// <summary>
/// socks5d against a real redis-server that speaks only TLS and requires a password (docs/fleet.md "TLS and password"):
/// a CA and a server certificate made with openssl at test time, --redis-tls --redis-tls-ca --redis-password-file; a
/// user added over MCP lands in that Redis and logs in through the proxy; a wrong password, no password, an untrusted
/// certificate (another CA, or the system's roots) each stop socks5d at startup with exit 78 and one line.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
[SupportedOSPlatform("linux")]
[NonParallelizable]
public sealed class RedisTlsEndToEndTests
{
    private const string Password = "tls-redis-pw";

    private string _directory = "";
    private Process? _redis;
    private int _port;

    [OneTimeSetUp]
    public async Task StartTlsRedis()
    {
        _directory = Directory.CreateDirectory(Path.Combine(TestContext.CurrentContext.WorkDirectory, "redis-tls-" + Guid.NewGuid().ToString("N"))).FullName;
        // A private CA, a server certificate it signs for 127.0.0.1, and another CA that signed nothing here.
        await OpensslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=socks5d test CA");
        await OpensslAsync("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        await System.IO.File.WriteAllTextAsync(Path.Combine(_directory, "server.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        await OpensslAsync("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext");
        await OpensslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other-ca.crt", "-days", "2", "-subj", "/CN=another CA");
        await WriteSecretAsync("redis.pw", Password + "\n");
        await WriteSecretAsync("wrong.pw", "not-the-password\n");

        // TLS only (--port 0).
        _port = RedisServer.FreeLoopbackPort();
        _redis = RedisServer.Launch(
        [
            "--port", "0", "--tls-port", _port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--tls-cert-file", "server.crt", "--tls-key-file", "server.key", "--tls-ca-cert-file", "ca.crt", "--tls-auth-clients", "no",
            "--requirepass", Password, "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no",
        ], _directory);
        var deadline = Stopwatch.StartNew();
        while ((await RedisCliAsync("PING")).Trim() != "PONG")
        {
            if (_redis.HasExited || deadline.Elapsed > TestTimeouts.Generous)
            {
                Assert.Fail($"redis-server with TLS on port {_port} did not start (exited: {_redis.HasExited}); does this redis-server have TLS (redis-server --version)?");
            }

            await Task.Delay(50);
        }
    }

    [OneTimeTearDown]
    public async Task StopTlsRedis()
    {
        if (_redis is { HasExited: false })
        {
            _redis.Kill();
            await _redis.WaitForExitAsync();
        }

        _redis?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task TlsAndPassword_AddUserOverMcp_LandsInRedis_LogsInThroughTheProxy()
    {
        var prefix = "tls-" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var echo = new EchoServer();
        await using var node = await RunningProxy.StartAsync(
            "-l", "127.0.0.1", "-p", "0", "--redis", $"127.0.0.1:{_port}", "--redis-tls", "--redis-tls-ca", File("ca.crt"),
            "--redis-password-file", File("redis.pw"), "--redis-prefix", prefix);

        var added = await node.McpctlAsync("add-user", "tina", "tina-pw");

        added.ExitCode.Should().Be(0, added.Stderr);
        (await RedisCliAsync("HEXISTS", prefix + "users", "tina")).Trim().Should().Be("1", "the user is in the TLS Redis");
        using var tunnel = await SocksTestClient.OpenTunnelAsync(node.Socks, echo.EndPoint, "tina", "tina-pw");
        await tunnel.SendAsync("ping"u8.ToArray());
        (await tunnel.ReceiveExactlyAsync(4)).Should().Equal("ping"u8.ToArray());
        (await SocksTestClient.TryOpenAsync(node.Socks, echo.EndPoint, "tina", "wrong")).Should().BeNull();
    }

    [Test]
    public async Task RedisThatAcceptsButNeverAnswers_IsUnreachableNotRefused_TheNodeStartsAndServes()
    {
        // Slow is not refused: every startup PING times out here (the listener takes connections and says nothing),
        // and the node starts from its snapshot instead of stopping with exit 78.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new ConcurrentQueue<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Enqueue(await silent.AcceptTcpClientAsync());
                }
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                // Stopped with the test.
            }
        });
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var echo = new EchoServer();
        await using var node = Socks5dProcess.Start(["-l", "127.0.0.1", "-p", "0", "-u", "sam:sam-pw", "--redis", $"127.0.0.1:{port}"]);

        var (proxy, _) = await node.WaitForListeningAsync();

        node.HasExited.Should().BeFalse();
        using (var tunnel = await SocksTestClient.OpenTunnelAsync(proxy, echo.EndPoint, "sam", "sam-pw"))
        {
            await tunnel.SendAsync("ping"u8.ToArray());
            (await tunnel.ReceiveExactlyAsync(4)).Should().Equal("ping"u8.ToArray(), "the node serves the users it was started with");
        }

        held.Should().NotBeEmpty("the node did try the silent Redis");
        silent.Stop();
        await accepting;
        foreach (var client in held)
        {
            client.Dispose();
        }
    }

    [TestCase("wrong.pw", "ca.crt", "Redis 127.0.0.1:{port} refused the password of --redis-password-file {dir}/wrong.pw", TestName = "Wrong password file: exit 78")]
    [TestCase(null, "ca.crt", "Redis 127.0.0.1:{port} requires a password: give it with --redis-password-file", TestName = "No password: exit 78")]
    [TestCase("redis.pw", "other-ca.crt", "Redis 127.0.0.1:{port}: the TLS certificate (CN=127.0.0.1) is not signed by --redis-tls-ca (UntrustedRoot)", TestName = "Certificate of another CA: exit 78")]
    [TestCase("redis.pw", null, "Redis 127.0.0.1:{port}: the TLS certificate (CN=127.0.0.1) is not trusted by the system's certificate authorities (UntrustedRoot); a private CA is given with --redis-tls-ca", TestName = "Private CA without --redis-tls-ca: exit 78")]
    public async Task Refused_StopsAtStartup_Exit78_OneLine(string? passwordFile, string? ca, string expected)
    {
        List<string> arguments = ["-l", "127.0.0.1", "-p", "0", "--redis", $"127.0.0.1:{_port}", "--redis-tls"];
        if (passwordFile is not null)
        {
            arguments.AddRange(["--redis-password-file", File(passwordFile)]);
        }

        if (ca is not null)
        {
            arguments.AddRange(["--redis-tls-ca", File(ca)]);
        }

        var (exitCode, stdout, stderr) = await Socks5dProcess.RunAsync([.. arguments]);

        exitCode.Should().Be(78);
        stdout.Should().BeEmpty();
        stderr.Should().ContainSingle().Which.Should().Be("socks5d: " + expected.Replace("{port}", _port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{dir}", _directory, StringComparison.Ordinal));
    }

    private string File(string name) => Path.Combine(_directory, name);

    private async Task WriteSecretAsync(string name, string content)
    {
        await System.IO.File.WriteAllTextAsync(File(name), content);
        System.IO.File.SetUnixFileMode(File(name), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private async Task OpensslAsync(params string[] arguments)
    {
        var (exitCode, output) = await RunAsync("openssl", arguments);
        exitCode.Should().Be(0, $"openssl {string.Join(' ', arguments)}: {output}");
    }

    /// <summary>redis-cli over TLS with the test CA and the password (REDISCLI_AUTH, not on the command line).</summary>
    private async Task<string> RedisCliAsync(params string[] command)
    {
        var (_, output) = await RunAsync("redis-cli", ["--tls", "--cacert", File("ca.crt"), "-h", "127.0.0.1", "-p", _port.ToString(CultureInfo.InvariantCulture), .. command]);
        return output;
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["REDISCLI_AUTH"] = Password;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Generous);
        return (process.ExitCode, await output + await error);
    }
}
