using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Socks.Core.Hosting;
using Socks.Core.Protocol;
using Socks.Core.Users;

namespace Socks.Core.Tests.Hosting;

/// <summary>services.AddSocksServer in a real Generic Host: options from configuration, seams from the services, real sockets.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class AddSocksServerTests
{
    [Test]
    public async Task AddSocksServer_OptionsFromConfiguration_PolicyFromServices_ServesUntilTheHostStops()
    {
        await using var echo = TestTarget.Echo();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Socks:Endpoints:0"] = "127.0.0.1:0",
            ["Socks:AllowAnonymous"] = "true",
            ["Socks:DrainTimeout"] = "00:00:05",
        });
        builder.Services.AddSingleton<IAccessPolicy>(new DenyPort(9));
        builder.Services.AddSocksServer(builder.Configuration.GetSection("Socks"));
        using var host = builder.Build();

        await host.StartAsync();
        var server = host.Services.GetRequiredService<SocksServer>();
        var endpoint = server.LocalEndPoints.Should().ContainSingle().Subject;
        endpoint.Address.Should().Be(IPAddress.Loopback);
        endpoint.Port.Should().NotBe(0, "the bound port is reported");

        using (var tunnel = await SocksTestClient.OpenTunnelAsync(endpoint, echo.EndPoint, user: null))
        {
            await tunnel.SendAsync("hosted");
            (await tunnel.ReceiveExactlyAsync(6)).Should().Equal("hosted"u8.ToArray());
        }

        using (var denied = await SocksTestClient.ConnectAsync(endpoint))
        {
            await denied.NegotiateAsync(null);
            (await denied.ConnectAsync(IPAddress.Loopback, 9)).Should().Be((byte)ReplyCode.ConnectionNotAllowed, "the IAccessPolicy service is the server's policy");
        }

        await host.StopAsync();
        var connect = async () =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endpoint);
        };
        (await connect.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);
        server.GetMetrics().SuccessfulConnections.Should().Be(1);
    }

    [Test]
    public async Task AddSocksServer_UserStoreServiceOnly_IsAlsoTheDirectory_RemovingAUserClosesItsSession()
    {
        await using var echo = TestTarget.Echo();
        var users = UserStore.CreateInMemory(10, new UserStoreOptions { Iterations = 1_000 });
        users.Add("alice", "wonderland");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<IUserStore>(users);
        builder.Services.AddSocksServer(options => options.Endpoints.Add("127.0.0.1:0"));
        using var host = builder.Build();
        await host.StartAsync();
        var endpoint = host.Services.GetRequiredService<SocksServer>().LocalEndPoints[0];

        using var tunnel = await SocksTestClient.OpenTunnelAsync(endpoint, echo.EndPoint, "alice", "wonderland");
        users.Remove("alice").Should().Be(UserChangeResult.Ok);

        (await tunnel.ReceiveUntilClosedAsync()).Should().Be(0, "the removed user's session is closed");
        await host.StopAsync();
    }

    [TestCase("127.0.0.1", TestName = "Endpoints_AddressWithoutPort_FailsTheStart")]
    [TestCase("[::1]", TestName = "Endpoints_BracketedAddressWithoutPort_FailsTheStart")]
    [TestCase("localhost:1080", TestName = "Endpoints_HostName_FailsTheStart")]
    [TestCase("127.0.0.1:70000", TestName = "Endpoints_PortOutOfRange_FailsTheStart")]
    public async Task Endpoints_NotAnIpEndpointWithAPort_FailsTheHostStartWithOneMessage(string endpoint)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSocksServer(options => options.Endpoints.Add(endpoint));
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<InvalidOperationException>())
            .WithMessage($"SOCKS endpoint '{endpoint}' is not an IP endpoint with a port, like 127.0.0.1:1080 or [::]:1080.");
    }

    [TestCase("127.0.0.1:1080", "127.0.0.1:1080")]
    [TestCase("[::1]:0", "[::1]:0")]
    [TestCase("[::]:1080", "[::]:1080")]
    public void ParseEndpoints_IpEndpointsWithAPort_AreTaken(string text, string expected)
    {
        SocksServiceCollectionExtensions.ParseEndpoints([text]).Should().Equal(IPEndPoint.Parse(expected));
    }

    [Test]
    public void ParseEndpoints_None_IsEveryInterfaceOnPort1080()
    {
        SocksServiceCollectionExtensions.ParseEndpoints([]).Should().Equal(new IPEndPoint(IPAddress.IPv6Any, 1080));
    }

    private sealed class DenyPort(int port) : IAccessPolicy
    {
        public ValueTask<AccessDecision> EvaluateAsync(AccessRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(request.Phase == AccessPhase.Requested && request.Session.Request?.Port == port
                ? AccessDecision.Deny(ReplyCode.ConnectionNotAllowed)
                : AccessDecision.Allow);
    }
}
