using System.Net.Sockets;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using ProxyHost.Management;
using ProxyHost.Unix;

namespace ProxyHost.Tests.Management;

/// <summary>
/// Who the MCP listener serves: the uid learnt from the kernel (the socket table on TCP, SO_PEERCRED on a Unix
/// socket) against <see cref="McpManagementOptions.Clients"/>. The test process is the client, so "not allowed" is
/// made by a policy without this process's uid.
/// </summary>
[CancelAfter(30_000)]
[SupportedOSPlatform("linux")]
public sealed class McpManagementServerAccessTests
{
    private static readonly uint Self = UnixAccounts.EffectiveUid;

    private static readonly McpManagementOptions OthersOnly = new() { Clients = new McpClientPolicy([Self + 1]) };

    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("mcp-access-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task AllowedUid_IsServed_AndAdminActionsNameClientAndUid()
    {
        await using var harness = ServerHarness.Start(new McpManagementOptions { Clients = new McpClientPolicy([Self]) });
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.Concat(Frames.AddAlice, Frames.ToggleDissector));

        (await client.ReadAsync(9)).Should().Equal(Frames.Concat(Frames.Ok, Frames.DissectorOn));
        var from = $"from {client.Socket.LocalEndPoint} uid {Self}";
        harness.Logger.Entries.Should().Contain(e => e.EventId == 309 && e.Message.EndsWith($"{from}: user \"alice\" added", StringComparison.Ordinal));
        harness.Logger.Entries.Should().Contain(e => e.EventId == 312 && e.Message.EndsWith($"{from}: dissector switched on", StringComparison.Ordinal));
        harness.Statistics.RefusedConnections.Should().Be(0);
    }

    [Test]
    public async Task UidNotAllowed_GetsOneErrorAndEof_AndNothingIsCarriedOut()
    {
        await using var harness = ServerHarness.Start(OthersOnly);
        await using var client = await harness.ConnectRawAsync();

        // ADD_USER, TOGGLE, LIST: none of them may reach the backend.
        await client.SendAsync(Frames.Concat(Frames.AddAlice, Frames.ToggleDissector, Frames.ListUsers));
        client.Socket.Shutdown(SocketShutdown.Send);

        (await client.ReadToEndAsync()).Should().Equal(Frames.Error, "one ERROR answers the first request, then the server closes");
        harness.Backend.Store.Count.Should().Be(0);
        harness.Backend.DissectorEnabled.Should().BeFalse();
        harness.Statistics.RefusedConnections.Should().Be(1);
        var warning = harness.Logger.Entries.Should().ContainSingle(e => e.EventId == 320).Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Be(
            $"MCP connection 1 from {client.Socket.LocalEndPoint} refused: uid {Self} is not allowed (allowed: uid {Self + 1}; socks5d --mcp-allow-uid adds more); answered ERROR and closed");
        harness.Logger.Entries.Should().NotContain(e => e.Message.Contains("alice", StringComparison.Ordinal));
    }

    [Test]
    public async Task UidNotAllowed_ErrorIsSentBeforeTheClientAsks()
    {
        await using var harness = ServerHarness.Start(OthersOnly);
        await using var client = await harness.ConnectRawAsync();

        // No request yet: the ERROR is already on its way, and the server has half-closed.
        (await client.ReadToEndAsync()).Should().Equal(Frames.Error);

        client.Socket.Shutdown(SocketShutdown.Send);
        await harness.WaitUntilAsync(s => s.ActiveConnections == 0);
    }

    [Test]
    public async Task UidNotAllowed_ClientThatNeverCloses_IsClosedAfterTheLinger()
    {
        await using var harness = ServerHarness.Start(OthersOnly);
        await using var client = await harness.ConnectRawAsync();
        (await client.ReadToEndAsync()).Should().Equal(Frames.Error);

        // The linger timer is created right after the ERROR and the FIN; the idle timer (5 min) before them.
        while (true)
        {
            await harness.Timers.WhenCreatedAsync().WaitAsync(ServerHarness.Timeout);
            if (harness.Timers.TryTakeCreated(out var due) && due == McpConnection.RefusalLinger)
            {
                break;
            }
        }

        harness.Statistics.ActiveConnections.Should().Be(1, "the server waits for the client's EOF");
        harness.Time.Advance(McpConnection.RefusalLinger);

        await harness.WaitUntilAsync(s => s.ActiveConnections == 0);
    }

    [Test]
    public async Task AnyClient_IsServedWhateverItsUid()
    {
        await using var harness = ServerHarness.Start(new McpManagementOptions { Clients = new McpClientPolicy([Self + 1], allowAny: true) });
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.ToggleDissector);

        (await client.ReadAsync(5)).Should().Equal(Frames.DissectorOn);
    }

    [Test]
    public async Task UnixSocket_IsCreated0660EvenUnderAPermissiveUmask_AndServesWithPeerCredentials()
    {
        var path = Path.Combine(_directory, "mcp.sock");

        // Whatever umask socks5d starts with (0 here), the socket file is never wider than 0660.
        ServerHarness? started = null;
        ProcessUmask.Run(0, () => started = ServerHarness.Start(listenOn: new UnixDomainSocketEndPoint(path)));
        await using var harness = started!;

        UnixFileStatus.TryGet(path, out var status).Should().BeTrue();
        status.IsSocket.Should().BeTrue();
        status.Permissions.Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        harness.Server.SocketPath.Should().Be(path);
        harness.Logger.Entries.Should().Contain(e => e.EventId == 300 && e.Message.StartsWith($"MCP management listening on unix:{path} (", StringComparison.Ordinal));

        await using var client = await harness.ConnectRawAsync();
        await client.SendAsync(Frames.ToggleDissector);
        (await client.ReadAsync(5)).Should().Equal(Frames.DissectorOn);
        harness.Logger.Entries.Should().Contain(e => e.EventId == 312
            && e.Message == $"MCP connection 1 from unix:{path} (pid {Environment.ProcessId}) uid {Self}: dissector switched on");
    }

    [Test]
    public async Task UnixSocket_UidNotAllowed_IsRefusedThroughPeerCredentials()
    {
        var path = Path.Combine(_directory, "mcp.sock");
        await using var harness = ServerHarness.Start(OthersOnly, listenOn: new UnixDomainSocketEndPoint(path));
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.AddAlice);
        client.Socket.Shutdown(SocketShutdown.Send);

        (await client.ReadToEndAsync()).Should().Equal(Frames.Error);
        harness.Backend.Store.Count.Should().Be(0);
        harness.Logger.Entries.Should().ContainSingle(e => e.EventId == 320).Which.Message.Should()
            .StartWith($"MCP connection 1 from unix:{path} (pid {Environment.ProcessId}) refused: uid {Self} is not allowed");
    }

    [Test]
    public async Task UnixSocket_Stop_RemovesTheFile()
    {
        var path = Path.Combine(_directory, "mcp.sock");
        var harness = ServerHarness.Start(listenOn: new UnixDomainSocketEndPoint(path));
        File.Exists(path).Should().BeTrue();

        await harness.DisposeAsync();

        File.Exists(path).Should().BeFalse();
    }

    [Test]
    public async Task UnixSocket_StaleFile_IsReplacedAndLogged()
    {
        var path = Path.Combine(_directory, "mcp.sock");
        MakeStaleSocket(path);

        await using var harness = ServerHarness.Start(listenOn: new UnixDomainSocketEndPoint(path));

        harness.Logger.Entries.Should().Contain(e => e.EventId == 322 && e.Message.Contains($"unix:{path}", StringComparison.Ordinal));
        await using var client = await harness.ConnectRawAsync();
        await client.SendAsync(Frames.ToggleDissector);
        (await client.ReadAsync(5)).Should().Equal(Frames.DissectorOn);
    }

    [Test]
    public async Task UnixSocket_LiveServerOnThePath_IsAddressInUseAndLeftAlone()
    {
        var path = Path.Combine(_directory, "mcp.sock");
        await using var first = ServerHarness.Start(listenOn: new UnixDomainSocketEndPoint(path));
        await using var second = new McpManagementServer(new TestBackend(), new McpManagementOptions(), new CapturingLogger<McpManagementServer>());

        var start = () => second.Start(new UnixDomainSocketEndPoint(path));

        start.Should().Throw<McpListenerException>().WithMessage("address already in use (a server is listening on it)");
        await using var client = await first.ConnectRawAsync();
        await client.SendAsync(Frames.ToggleDissector);
        (await client.ReadAsync(5)).Should().Equal(Frames.DissectorOn, "the first server still owns its socket");
    }

    [Test]
    public async Task UnixSocket_PathIsARegularFile_IsNeverRemoved()
    {
        var path = Path.Combine(_directory, "users");
        await File.WriteAllTextAsync(path, "precious");
        await using var server = new McpManagementServer(new TestBackend(), new McpManagementOptions(), new CapturingLogger<McpManagementServer>());

        var start = () => server.Start(new UnixDomainSocketEndPoint(path));

        start.Should().Throw<McpListenerException>().WithMessage($"{path} exists and is not a socket (remove it or choose another path)");
        (await File.ReadAllTextAsync(path)).Should().Be("precious");
    }

    [Test]
    public async Task UnixSocket_MissingDirectory_SaysWhichOne()
    {
        var directory = Path.Combine(_directory, "missing");
        await using var server = new McpManagementServer(new TestBackend(), new McpManagementOptions(), new CapturingLogger<McpManagementServer>());

        var start = () => server.Start(new UnixDomainSocketEndPoint(Path.Combine(directory, "mcp.sock")));

        start.Should().Throw<McpListenerException>().WithMessage($"no such directory {directory} (create it first, e.g. RuntimeDirectory= under systemd)");
    }

    /// <summary>
    /// A socket file with nobody behind it, as a killed server leaves: bound but never listening, renamed away from the
    /// name the runtime unlinks on dispose.
    /// </summary>
    private void MakeStaleSocket(string path)
    {
        var bound = Path.Combine(_directory, "bound.sock");
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, path);
        }

        UnixFileStatus.TryGet(path, out var status).Should().BeTrue();
        status.IsSocket.Should().BeTrue();
    }
}
