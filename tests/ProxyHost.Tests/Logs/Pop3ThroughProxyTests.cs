using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ProxyHost.Tests.Logs;

/// <summary>
/// POP3 logins through a real SocksServer over loopback sockets, dissected by the real POP3 dissector
/// into the real credentials log (a temporary file): how the client cuts and shapes its commands must
/// not change what is recorded, and the relay forwards every byte unchanged.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class Pop3ThroughProxyTests
{
    private const string Login = "USER alice\r\nPASS secret\r\n";

    [Test]
    public async Task UserPass_ClientSendsOneBytePerSegment_RecordsTheCredentialOnce()
    {
        await using var pop3 = new Pop3TestServer();
        await using var proxy = new DissectingProxy(pop3.Port);
        var (tunnel, client, local) = await OpenPastGreetingAsync(proxy, pop3);
        using (tunnel)
        {
            var connection = await pop3.ConnectionAsync(0);
            var bytes = Encoding.ASCII.GetBytes(Login);
            for (var i = 0; i < bytes.Length; i++)
            {
                // Each byte is its own segment for the relay: the next goes only once the server has it.
                await client.SendAsync([bytes[i]]);
                await connection.WaitForReceivedAsync(i + 1);
            }

            await LoggedInThenQuitAsync(client);
        }

        await CheckOnlyRecordAsync(proxy, local, pop3, "USER/PASS", "alice", "secret", "accepted");
    }

    [TestCase(2, Description = "inside the USER verb")]
    [TestCase(8, Description = "inside the user name")]
    [TestCase(11, Description = "between CR and LF")]
    [TestCase(12, Description = "right after the first line")]
    [TestCase(14, Description = "inside the PASS verb")]
    [TestCase(20, Description = "inside the password")]
    [TestCase(23, Description = "between CR and LF of PASS")]
    public async Task UserPass_SplitInTwoSegments_RecordsTheCredentialOnce(int cut)
    {
        await using var pop3 = new Pop3TestServer();
        await using var proxy = new DissectingProxy(pop3.Port);
        var (tunnel, client, local) = await OpenPastGreetingAsync(proxy, pop3);
        using (tunnel)
        {
            var connection = await pop3.ConnectionAsync(0);
            var bytes = Encoding.ASCII.GetBytes(Login);
            await client.SendAsync(bytes[..cut]);
            await connection.WaitForReceivedAsync(cut);
            await client.SendAsync(bytes[cut..]);

            await LoggedInThenQuitAsync(client);
        }

        await CheckOnlyRecordAsync(proxy, local, pop3, "USER/PASS", "alice", "secret", "accepted");
    }

    [Test]
    public async Task Pipelined_WrongThenRightPasswordInOneSegment_RecordsBothInOrder()
    {
        await using var pop3 = new Pop3TestServer();
        await using var proxy = new DissectingProxy(pop3.Port);
        var (tunnel, client, local) = await OpenPastGreetingAsync(proxy, pop3);
        using (tunnel)
        {
            await client.SendAsync("USER alice\r\nPASS guess\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nQUIT\r\n");

            (await ReadLinesAsync(client, 6)).Should().Equal(
                "+OK", "-ERR invalid password", "+OK", "+OK maildrop locked and ready", "+OK 1 120", "+OK bye");
            (await client.AtEndAsync()).Should().BeTrue();
        }

        var records = await proxy.CredentialRecordsAsync();

        records.Should().HaveCount(2);
        Check(records[0], local, pop3, "USER/PASS", "alice", "guess", "rejected");
        Check(records[1], local, pop3, "USER/PASS", "alice", "secret", "accepted");
    }

    [Test]
    public async Task LowercaseCommands_AreRecognised()
    {
        await using var pop3 = new Pop3TestServer();
        await using var proxy = new DissectingProxy(pop3.Port);
        var (tunnel, client, local) = await OpenPastGreetingAsync(proxy, pop3);
        using (tunnel)
        {
            await client.SendAsync("user alice\r\n");
            (await client.ReadLineAsync()).Should().Be("+OK");
            await client.SendAsync("pass secret\r\n");
            (await client.ReadLineAsync()).Should().Be("+OK maildrop locked and ready");
            await QuitAsync(client, "quit");
        }

        await CheckOnlyRecordAsync(proxy, local, pop3, "USER/PASS", "alice", "secret", "accepted");
    }

    [TestCase(true, "secret", "accepted")]
    [TestCase(false, "secret", "accepted")]
    [TestCase(true, "wrong", "rejected")]
    [TestCase(false, "wrong", "rejected")]
    public async Task AuthPlain_WithOrWithoutInitialResponse_RecordsAuthcidAndPassword(bool initialResponse, string password, string outcome)
    {
        await using var pop3 = new Pop3TestServer();
        await using var proxy = new DissectingProxy(pop3.Port);
        var (tunnel, client, local) = await OpenPastGreetingAsync(proxy, pop3);
        using (tunnel)
        {
            var response = DissectingProxy.Base64Plain("alice", password);
            if (initialResponse)
            {
                await client.SendAsync($"AUTH PLAIN {response}\r\n");
            }
            else
            {
                await client.SendAsync("AUTH PLAIN\r\n");
                (await client.ReadLineAsync()).Should().Be("+ ");
                await client.SendAsync(response + "\r\n");
            }

            (await client.ReadLineAsync()).Should().StartWith(outcome == "accepted" ? "+OK" : "-ERR");
            await QuitAsync(client);
        }

        await CheckOnlyRecordAsync(proxy, local, pop3, "AUTH-PLAIN", "alice", password, outcome);
    }

    [Test]
    public async Task Apop_RecordsTheUserAndTheDigest()
    {
        await using var pop3 = new Pop3TestServer(offerApop: true);
        await using var proxy = new DissectingProxy(pop3.Port);
        var digest = Pop3TestServer.ApopDigest("secret");
        var (tunnel, client, local) = await proxy.OpenAsync(pop3.EndPoint);
        using (tunnel)
        {
            (await client.ReadLineAsync()).Should().EndWith(Pop3TestServer.Timestamp);
            await client.SendAsync($"APOP alice {digest}\r\n");
            (await client.ReadLineAsync()).Should().Be("+OK maildrop locked and ready");
            await QuitAsync(client);
        }

        await CheckOnlyRecordAsync(proxy, local, pop3, "APOP", "alice", digest, "accepted");
    }

    [Test]
    public async Task Stls_Accepted_LaterBytesAreForwardedButNotDissected()
    {
        await using var pop3 = new Pop3TestServer();
        await using var proxy = new DissectingProxy(pop3.Port);
        var (tunnel, client, local) = await OpenPastGreetingAsync(proxy, pop3);
        Pop3TestServer.Connection connection;
        using (tunnel)
        {
            await client.SendAsync("STLS\r\n");
            (await client.ReadLineAsync()).Should().Be("+OK Begin TLS negotiation");

            // What follows would be TLS; even text that looks like a login is not POP3 any more.
            await client.SendAsync(Login);
            connection = await pop3.ConnectionAsync(0);
            await connection.WaitForReceivedAsync(6 + Login.Length);
            tunnel.Socket.Shutdown(SocketShutdown.Send);
            (await client.AtEndAsync()).Should().BeTrue();
        }

        var records = await proxy.CredentialRecordsAsync();

        records.Should().BeEmpty();
        Encoding.ASCII.GetString(connection.Received).Should().Be("STLS\r\n" + Login);
    }

    [Test]
    public async Task LineOf1MiBWithoutCrlf_IsForwardedUnchangedAndNothingIsRecorded()
    {
        await using var pop3 = new Pop3TestServer();
        await using var proxy = new DissectingProxy(pop3.Port);
        var line = new byte[1024 * 1024];
        new Random(1939).NextBytes(line);
        for (var i = 0; i < line.Length; i++)
        {
            // Any byte but LF, so the whole megabyte is one unterminated line.
            line[i] = line[i] == (byte)'\n' ? (byte)'x' : line[i];
        }

        var (tunnel, client, local) = await OpenPastGreetingAsync(proxy, pop3);
        Pop3TestServer.Connection connection;
        using (tunnel)
        {
            await client.SendAsync("USER alice\r\n");
            (await client.ReadLineAsync()).Should().Be("+OK");
            await client.SendAsync(line);
            tunnel.Socket.Shutdown(SocketShutdown.Send);
            connection = await pop3.ConnectionAsync(0);
            await connection.Completed.WaitAsync(TestTimeouts.Generous);
            (await client.AtEndAsync()).Should().BeTrue();
        }

        var records = await proxy.CredentialRecordsAsync();

        records.Should().BeEmpty();
        var received = connection.Received;
        received.Length.Should().Be(12 + line.Length);
        Convert.ToHexString(SHA256.HashData(received.AsSpan(12))).Should().Be(Convert.ToHexString(SHA256.HashData(line)));
    }

    /// <summary>Opens a tunnel through the proxy to the POP3 server and reads the server's "+OK" greeting.</summary>
    private static async Task<(SocksTestClient Tunnel, LineClient Client, string Local)> OpenPastGreetingAsync(DissectingProxy proxy, Pop3TestServer pop3)
    {
        var (tunnel, client, local) = await proxy.OpenAsync(pop3.EndPoint);
        try
        {
            (await client.ReadLineAsync()).Should().StartWith("+OK");
        }
        catch
        {
            // The caller never gets the tunnel to dispose: close it here and let the failure through.
            tunnel.Dispose();
            throw;
        }

        return (tunnel, client, local);
    }

    /// <summary>Asserts the credentials log holds exactly one record, this credential of this session.</summary>
    private static async Task CheckOnlyRecordAsync(
        DissectingProxy proxy, string local, Pop3TestServer pop3, string mechanism, string user, string secret, string outcome)
    {
        var records = await proxy.CredentialRecordsAsync();

        Check(records.Should().ContainSingle().Subject, local, pop3, mechanism, user, secret, outcome);
    }

    /// <summary>Asserts the replies to the USER and PASS of <see cref="Login"/>, then quits.</summary>
    private static async Task LoggedInThenQuitAsync(LineClient client)
    {
        (await client.ReadLineAsync()).Should().Be("+OK");
        (await client.ReadLineAsync()).Should().Be("+OK maildrop locked and ready");
        await QuitAsync(client);
    }

    /// <summary>Asserts a credentials-log record: a timestamp, then the session's fields and the credential.</summary>
    private static void Check(string[] record, string local, Pop3TestServer pop3, string mechanism, string user, string secret, string outcome)
    {
        record.Should().HaveCount(10);
        record[0].Should().MatchRegex(LogFile.TimestampPattern);
        record[1..].Should().Equal([.. DissectingProxy.SessionFields(local, pop3.EndPoint), "POP3", mechanism, user, secret, outcome]);
    }

    private static async Task QuitAsync(LineClient client, string verb = "QUIT")
    {
        await client.SendAsync(verb + "\r\n");
        (await client.ReadLineAsync()).Should().Be("+OK bye");
        (await client.AtEndAsync()).Should().BeTrue();
    }

    private static async Task<List<string>> ReadLinesAsync(LineClient client, int count)
    {
        var lines = new List<string>();
        for (var i = 0; i < count; i++)
        {
            lines.Add((await client.ReadLineAsync())!);
        }

        return lines;
    }
}
