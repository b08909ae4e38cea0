using System.Net;
using System.Text;
using Socks.Core.Tests.Server.Infrastructure;

namespace Socks.Core.Tests.Users;

/// <summary>The server authenticates through the session-aware overload, so a store can see who is asking.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class SessionAwareUserStoreTests
{
    [Test]
    public async Task Handshake_StoreOverridesTheSessionOverload_SeesTheClientAndDecides()
    {
        var store = new ClientRecordingStore();
        await using var harness = ServerHarness.Start(log => new SocksServerOptions { Users = store, AccessLog = log });
        using var client = await SocksTestClient.ConnectAsync(harness.EndPoint);

        await client.NegotiateAsync("user");

        store.Clients.Should().ContainSingle().Which.Should().Be((IPEndPoint)client.Socket.LocalEndPoint!);
        store.Users.Should().Equal("user");
    }

    private sealed class ClientRecordingStore : IUserStore
    {
        public List<IPEndPoint> Clients { get; } = [];

        public List<string> Users { get; } = [];

        public bool HasUsers => true;

        public ValueTask<bool> ValidateAsync(ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken) =>
            throw new AssertionException("the server calls the session-aware overload");

        public ValueTask<bool> ValidateAsync(SessionContext session, ReadOnlyMemory<byte> username, ReadOnlyMemory<byte> password, CancellationToken cancellationToken)
        {
            Clients.Add(session.Client);
            Users.Add(Encoding.ASCII.GetString(username.Span));
            return ValueTask.FromResult(password.Span.SequenceEqual("pass"u8));
        }
    }
}
