using System.Net;
using Microsoft.Extensions.Logging;

namespace Socks.Core.Tests.Server.Infrastructure;

/// <summary>A <see cref="SocksServer"/> on 127.0.0.1:0 with a recording access log.</summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    private ServerHarness(SocksServer server, RecordingAccessLog accessLog)
    {
        Server = server;
        AccessLog = accessLog;
    }

    public SocksServer Server { get; }

    public RecordingAccessLog AccessLog { get; }

    public IPEndPoint EndPoint => Server.LocalEndPoints[0];

    /// <summary>Starts a server; <paramref name="configure"/> builds the options around the given access log.</summary>
    public static ServerHarness Start(Func<RecordingAccessLog, SocksServerOptions> configure, ILogger? logger = null)
    {
        var accessLog = new RecordingAccessLog();
        var server = new SocksServer(configure(accessLog), logger is null ? null : new SingleLoggerFactory(logger));
        server.Start([new IPEndPoint(IPAddress.Loopback, 0)]);
        return new ServerHarness(server, accessLog);
    }

    /// <summary>A server whose only user is user:pass.</summary>
    public static ServerHarness StartWithUser() =>
        Start(log => new SocksServerOptions { Users = TestUsers.Create(("user", "pass")), AccessLog = log });

    /// <summary>A server without users that allows anonymous clients.</summary>
    public static ServerHarness StartAnonymous() =>
        Start(log => new SocksServerOptions { Users = TestUsers.Empty(), AllowAnonymous = true, AccessLog = log });

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
