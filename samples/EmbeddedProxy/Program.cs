// EmbeddedProxy: a SOCKS5 server inside a console app, with one user and an access policy (docs/embedding.md).
//   dotnet run --project samples/EmbeddedProxy [-- 127.0.0.1:1080]
//   curl -x socks5h://alice:wonderland@127.0.0.1:1080 https://example.org/
// Ctrl-C or SIGTERM stops it: open sessions get 5 s to finish, then the metrics are printed.
using System.Net;
using System.Runtime.InteropServices;
using EmbeddedProxy;
using Socks.Core;
using Socks.Core.Users;

var endpoint = IPEndPoint.Parse(args.Length > 0 ? args[0] : "127.0.0.1:1080");

// Users are checked against salted PBKDF2 hashes; the string overloads encode as UTF-8, as SOCKS clients send them.
var users = UserStore.CreateInMemory();
users.Add("alice", "wonderland");

await using var server = new SocksServer(new SocksServerOptions
{
    Users = users,
    UserDirectory = users,                  // removing a user also closes that user's open sessions
    AccessPolicy = new NoMailRelayPolicy(), // asked at every phase of every session
    IdleTimeout = TimeSpan.FromMinutes(5),
});
server.Start([endpoint]);                  // port 0: the OS picks one; LocalEndPoints says which
Console.WriteLine($"SOCKS5 proxy listening on {server.LocalEndPoints[0]} (user alice)");

using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);

await server.StopAsync(drainTimeout: TimeSpan.FromSeconds(5));
Console.WriteLine(server.GetMetrics());
return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;                 // no default termination: the app stops by itself
    stop.Cancel();
}
