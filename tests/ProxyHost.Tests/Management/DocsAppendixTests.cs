using System.Net.Sockets;
using Mcp.Protocol;
using ProxyHost.Management;
using ProxyHost.Unix;

namespace ProxyHost.Tests.Management;

/// <summary>The example exchanges of docs/mcp-protocol.md, Appendix A, replayed byte for byte against the server.</summary>
public class DocsAppendixTests
{
    [Test]
    public async Task AppendixA_EveryExample_ServerAnswersExactlyAsDocumented()
    {
        var backend = new TestBackend { Metrics = new McpMetrics(42, 1, 123456, 40, 1, 61440) };
        backend.Store.Add("alice"u8, "other"u8);
        backend.Store.Add("bob"u8, "pw"u8);
        await using var harness = ServerHarness.Start(backend: backend);
        await using var client = await harness.ConnectRawAsync();

        await Exchange(client, "01 00 00 00", """
            01 00 00 30  00 00 00 00 00 00 00 2A  00 00 00 00 00 00 00 01
                         00 00 00 00 00 01 E2 40  00 00 00 00 00 00 00 28
                         00 00 00 00 00 00 00 01  00 00 00 00 00 00 F0 00
            """);
        await Exchange(client, "01 02 00 0D  05 61 6C 69 63 65  06 73 33 63 72 65 74", "01 04 00 00");
        await Exchange(client, "01 01 00 00", "01 00 00 0B  02  05 61 6C 69 63 65  03 62 6F 62");
        await Exchange(client, "01 03 00 04 03 62 6F 62  01 04 00 00", "01 00 00 00  01 00 00 01 01");
        await Exchange(client, "01 2A 00 02 AA BB  01 00 00 01 FF", "01 02 00 00  01 01 00 00");
        await Exchange(client, "01 83 00 00  01 84 00 01 00  01 84 00 01 02", "01 00 00 01 01  01 00 00 01 00  01 01 00 00");

        await client.SendAsync(Hex("02 00 00 00"));
        (await client.ReadToEndAsync()).Should().Equal(Hex("01 01 00 00"));
    }

    [Test]
    public async Task AppendixA_RefusedClient_GetsErrorBeforeAskingAndNothingIsCarriedOut()
    {
        var backend = new TestBackend();
        var others = new McpManagementOptions { Clients = new McpClientPolicy([UnixAccounts.EffectiveUid + 1]) };
        await using var harness = ServerHarness.Start(others, backend);
        await using var client = await harness.ConnectRawAsync();

        (await client.ReadToEndAsync()).Should().Equal(Hex("01 01 00 00"), "ERROR, sent before any request, then FIN");
        await client.SendAsync(Hex("01 04 00 00"));
        client.Socket.Shutdown(SocketShutdown.Send);

        await harness.WaitUntilAsync(s => s.ActiveConnections == 0);
        backend.DissectorEnabled.Should().BeFalse("the refused TOGGLE_DISECTOR was discarded");
    }

    private static async Task Exchange(RawMcpConnection client, string request, string response)
    {
        await client.SendAsync(Hex(request));
        var expected = Hex(response);
        (await client.ReadAsync(expected.Length)).Should().Equal(expected, $"the documented answer to {request}");
    }

    private static byte[] Hex(string text) =>
        Convert.FromHexString(string.Concat(text.Where(Uri.IsHexDigit)));
}
