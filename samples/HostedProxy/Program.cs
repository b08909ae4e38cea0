// HostedProxy: the SOCKS5 server as a hosted service of a Generic Host app, options from configuration
// (appsettings.json, environment, command line), seams as services (docs/embedding.md).
//   dotnet run --project samples/HostedProxy [-- --Socks:Endpoints:0=127.0.0.1:0]
// The same two calls work in an ASP.NET Core app (WebApplication.CreateBuilder).
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Socks.Core;
using Socks.Core.Hosting;
using Socks.Core.Users;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json next to the app, wherever it is started from
});

// A seam is a service: the server takes the IUserStore (and, as it is also a directory, closes removed users' sessions).
var users = UserStore.CreateInMemory();
users.Add("alice", "wonderland");
builder.Services.AddSingleton<IUserStore>(users);
builder.Services.AddSocksServer(builder.Configuration.GetSection("Socks"));

using var host = builder.Build();
var server = host.Services.GetRequiredService<SocksServer>();
var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
lifetime.ApplicationStarted.Register(() => Console.WriteLine($"SOCKS5 proxy listening on {server.LocalEndPoints[0]} (user alice)"));
lifetime.ApplicationStopped.Register(() => Console.WriteLine(server.GetMetrics()));

// Ctrl-C or SIGTERM stops the host: the server stops accepting and drains for Socks:DrainTimeout.
await host.RunAsync();
