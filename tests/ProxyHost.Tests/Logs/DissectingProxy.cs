using System.Net;
using System.Text;
using Socks.Core;
using Socks.Core.AccessLog;
using Socks.Core.Dissectors;
using Socks.Core.Dissectors.Pop3;
using Socks.Core.Logging;
using Socks.Core.Users;

namespace ProxyHost.Tests.Logs;

/// <summary>
/// An in-process SocksServer (user "user", password "pass") with the real POP3 dissector writing the
/// real credentials log to a temporary file: the raw-socket dissector tests run through it, for speed.
/// </summary>
internal sealed class DissectingProxy : IAsyncDisposable
{
    private readonly string _directory;
    private readonly SessionCounter _sessions = new();

    public DissectingProxy(int pop3Port)
    {
        _directory = Path.Combine(Path.GetTempPath(), "socks5d-pop3-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        CredentialsPath = Path.Combine(_directory, "credentials.log");
        Credentials = new CredentialLogWriter(CredentialsPath);
        var users = UserStore.CreateInMemory(UserStore.DefaultMaxUsers, new UserStoreOptions { Iterations = 1_000 });
        users.AddTemporary("user"u8, "pass"u8).Should().Be(UserChangeResult.Ok);
        Server = new SocksServer(new SocksServerOptions
        {
            Users = users,
            AccessLog = _sessions,
            TrafficObservers = new Pop3DissectorFactory(Credentials, new DissectorSwitch(true), [pop3Port]),
        });
        Server.Start([new IPEndPoint(IPAddress.Loopback, 0)]);
    }

    public SocksServer Server { get; }

    public IPEndPoint EndPoint => Server.LocalEndPoints[0];

    public CredentialLogWriter Credentials { get; }

    public string CredentialsPath { get; }

    /// <summary>Opens a tunnel through the proxy to <paramref name="target"/>; also returns its local endpoint as logged.</summary>
    public async Task<(SocksTestClient Tunnel, LineClient Client, string Local)> OpenAsync(IPEndPoint target)
    {
        var tunnel = await SocksTestClient.OpenAsync(EndPoint, target);
        tunnel.Socket.NoDelay = true;
        return (tunnel, new LineClient(tunnel.Socket), LogFile.Endpoint(tunnel.Socket.LocalEndPoint!));
    }

    /// <summary>Waits until <paramref name="sessions"/> sessions have ended, then returns the credentials log's records.</summary>
    public async Task<string[][]> CredentialRecordsAsync(int sessions = 1)
    {
        await _sessions.WaitForAsync(sessions);
        await Credentials.FlushAsync().WaitAsync(TestTimeouts.Generous);
        return LogFile.Records(CredentialsPath);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Credentials.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The SOCKS user, client, server name and server fields every credential of a tunnel has.</summary>
    public static string[] SessionFields(string local, IPEndPoint server) =>
        ["user", local, server.Address.ToString(), LogFile.Endpoint(server)];

    public static string Base64Plain(string user, string password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    /// <summary>Counts finished sessions (one access record each) and lets a test wait for a count.</summary>
    private sealed class SessionCounter : IAccessLogSink
    {
        private readonly Lock _lock = new();
        private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
        private int _count;

        public void Append(AccessLogRecord record)
        {
            lock (_lock)
            {
                _count++;
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_count >= _waiters[i].Count)
                    {
                        _waiters[i].Done.TrySetResult();
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }

        public Task WaitForAsync(int count)
        {
            lock (_lock)
            {
                if (_count >= count)
                {
                    return Task.CompletedTask;
                }

                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, done));
                return done.Task.WaitAsync(TestTimeouts.Generous);
            }
        }
    }
}
