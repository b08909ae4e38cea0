using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EndToEnd.Tests.Support;

/// <summary>
/// A TCP server on 127.0.0.1:0 that serves each connection with a line-based dialogue written by a
/// subclass (the in-test HTTP, FTP and SMTP servers the dissector tests log in to).
/// </summary>
internal abstract class LineServer : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "secret";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    protected LineServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = AcceptLoopAsync();
    }

    public int Port { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }

    /// <summary>Serves one connection until the client leaves.</summary>
    protected abstract Task ServeAsync(StreamReader reader, Stream writer, CancellationToken ct);

    protected static Task WriteAsync(Stream writer, string text, CancellationToken ct) =>
        writer.WriteAsync(Encoding.ASCII.GetBytes(text), ct).AsTask();

    private async Task AcceptLoopAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(ServeOneAsync(socket));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeOneAsync(TcpClient socket)
    {
        using (socket)
        {
            var stream = socket.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1);
            try
            {
                await ServeAsync(reader, stream, _stop.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
                // The client went away.
            }
        }
    }
}

/// <summary>HTTP/1.1 with keep-alive: 200 to Basic <see cref="LineServer.User"/>:<see cref="LineServer.Password"/>, 401 to anything else.</summary>
internal sealed class HttpBasicServer : LineServer
{
    protected override async Task ServeAsync(StreamReader reader, Stream writer, CancellationToken ct)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes($"{User}:{Password}"));
        while (await reader.ReadLineAsync(ct) is { Length: > 0 })
        {
            var authorized = false;
            while (await reader.ReadLineAsync(ct) is { Length: > 0 } header)
            {
                authorized |= header.Equals("Authorization: " + expected, StringComparison.OrdinalIgnoreCase);
            }

            await WriteAsync(writer, authorized
                ? "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\nwelcome\n"
                : "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"test\"\r\nContent-Length: 7\r\n\r\ndenied\n", ct);
        }
    }
}

/// <summary>
/// The FTP control connection (RFC 959) far enough for <c>curl -I ftp://...</c>: USER, PASS (230 or 530),
/// PWD, TYPE, SIZE, MDTM, REST, QUIT; no data connection.
/// </summary>
internal sealed class FtpTestServer : LineServer
{
    protected override async Task ServeAsync(StreamReader reader, Stream writer, CancellationToken ct)
    {
        await WriteAsync(writer, "220-In-test FTP server\r\n220 ready\r\n", ct);
        string? user = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
            var argument = space < 0 ? string.Empty : line[(space + 1)..];
            var reply = verb switch
            {
                "USER" => "331 Password required",
                "PASS" => user == User && argument == Password ? "230 Logged in" : "530 Login incorrect",
                "PWD" => "257 \"/\" is the current directory",
                "TYPE" => "200 Type set",
                "SIZE" => "213 8",
                "MDTM" => "213 20261203120000",
                "REST" => "350 Restarting",
                "QUIT" => "221 Goodbye",
                _ => "502 Not implemented",
            };
            user = verb == "USER" ? argument : null;
            await WriteAsync(writer, reply + "\r\n", ct);
            if (verb == "QUIT")
            {
                return;
            }
        }
    }
}

/// <summary>
/// SMTP submission (RFC 5321, RFC 4954) with <c>AUTH PLAIN</c> and <c>AUTH LOGIN</c>: 235 to
/// <see cref="LineServer.User"/>/<see cref="LineServer.Password"/>, 535 to anything else; accepts the
/// message and discards it.
/// </summary>
internal sealed class SmtpTestServer : LineServer
{
    protected override async Task ServeAsync(StreamReader reader, Stream writer, CancellationToken ct)
    {
        await WriteAsync(writer, "220 smtp.test ESMTP\r\n", ct);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            var upper = line.ToUpperInvariant();
            string reply;
            if (upper.StartsWith("EHLO", StringComparison.Ordinal))
            {
                reply = "250-smtp.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME";
            }
            else if (upper.StartsWith("AUTH PLAIN", StringComparison.Ordinal))
            {
                var initial = line.Length > 11 ? line[11..] : await ChallengeAsync(reader, writer, string.Empty, ct);
                reply = Verdict(Decode(initial) == $"\0{User}\0{Password}");
            }
            else if (upper.StartsWith("AUTH LOGIN", StringComparison.Ordinal))
            {
                var user = line.Length > 11 ? Decode(line[11..]) : Decode(await ChallengeAsync(reader, writer, "VXNlcm5hbWU6", ct));
                var password = Decode(await ChallengeAsync(reader, writer, "UGFzc3dvcmQ6", ct));
                reply = Verdict(user == User && password == Password);
            }
            else if (upper == "DATA")
            {
                await WriteAsync(writer, "354 End data with <CR><LF>.<CR><LF>\r\n", ct);
                while (await reader.ReadLineAsync(ct) is { } data && data != ".")
                {
                }

                reply = "250 Queued";
            }
            else if (upper == "QUIT")
            {
                await WriteAsync(writer, "221 Bye\r\n", ct);
                return;
            }
            else
            {
                reply = "250 OK";
            }

            await WriteAsync(writer, reply + "\r\n", ct);
        }
    }

    private static string Verdict(bool ok) => ok ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid";

    private static string Decode(string base64) => Encoding.Latin1.GetString(Convert.FromBase64String(base64));

    private static async Task<string> ChallengeAsync(StreamReader reader, Stream writer, string challenge, CancellationToken ct)
    {
        await WriteAsync(writer, $"334 {challenge}\r\n", ct);
        return await reader.ReadLineAsync(ct) ?? string.Empty;
    }
}
