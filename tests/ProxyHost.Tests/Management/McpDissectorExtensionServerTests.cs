using Microsoft.Extensions.Logging;

namespace ProxyHost.Tests.Management;

/// <summary>
/// GET_DISSECTOR (0x83) and SET_DISSECTOR (0x84) against the MCP server, byte for byte (docs/mcp-protocol.md §13.4-§13.5):
/// the answers, idempotence, and malformed requests answered ERROR on a connection that keeps serving.
/// </summary>
public class McpDissectorExtensionServerTests
{
    private static readonly byte[] GetDissector = [0x01, 0x83, 0x00, 0x00];
    private static readonly byte[] SetOn = [0x01, 0x84, 0x00, 0x01, 0x01];
    private static readonly byte[] SetOff = [0x01, 0x84, 0x00, 0x01, 0x00];

    [Test]
    public async Task GetDissector_ReadsTheStateWithoutChangingIt()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.Concat(GetDissector, GetDissector));
        (await client.ReadAsync(10)).Should().Equal(Frames.Concat(Frames.DissectorOff, Frames.DissectorOff));
        harness.Backend.DissectorEnabled.Should().BeFalse("reading changes nothing");

        await client.SendAsync(Frames.Concat(Frames.ToggleDissector, GetDissector));
        (await client.ReadAsync(10)).Should().Equal(Frames.Concat(Frames.DissectorOn, Frames.DissectorOn));
        harness.Backend.DissectorEnabled.Should().BeTrue();
    }

    [Test]
    public async Task SetDissector_OnOnOffOff_AnswersTheStateInForceEachTime()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.Concat(SetOn, SetOn, GetDissector));
        (await client.ReadAsync(15)).Should().Equal(Frames.Concat(Frames.DissectorOn, Frames.DissectorOn, Frames.DissectorOn), "setting on when on answers 01");
        harness.Backend.DissectorEnabled.Should().BeTrue();

        await client.SendAsync(Frames.Concat(SetOff, SetOff, GetDissector));
        (await client.ReadAsync(15)).Should().Equal(Frames.Concat(Frames.DissectorOff, Frames.DissectorOff, Frames.DissectorOff));
        harness.Backend.DissectorEnabled.Should().BeFalse();
        harness.Logger.Entries.Should().Contain(e => e.Level == LogLevel.Information && e.Text.Contains("dissector set off, now off", StringComparison.Ordinal));
    }

    [TestCase(new byte[] { 0x01, 0x84, 0x00, 0x01, 0x02 }, TestName = "SET_DISSECTOR STATE 0x02")]
    [TestCase(new byte[] { 0x01, 0x84, 0x00, 0x01, 0xFF }, TestName = "SET_DISSECTOR STATE 0xFF")]
    [TestCase(new byte[] { 0x01, 0x84, 0x00, 0x00 }, TestName = "SET_DISSECTOR LEN 0")]
    [TestCase(new byte[] { 0x01, 0x84, 0x00, 0x02, 0x01, 0x01 }, TestName = "SET_DISSECTOR LEN 2")]
    [TestCase(new byte[] { 0x01, 0x83, 0x00, 0x01, 0x01 }, TestName = "GET_DISSECTOR LEN 1")]
    public async Task Malformed_AnswersErrorChangesNothingAndKeepsServing(byte[] frame)
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(Frames.Concat(frame, GetDissector));

        (await client.ReadAsync(9)).Should().Equal(Frames.Concat(Frames.Error, Frames.DissectorOff));
        harness.Backend.DissectorEnabled.Should().BeFalse("a malformed SET_DISSECTOR changes nothing");
    }

    [Test]
    public async Task SetDissector_StateArrivesInALaterSegment_IsCarriedOut()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectRawAsync();

        await client.SendAsync(SetOn[..4]);
        await client.SendAsync(SetOn[4..]);

        (await client.ReadAsync(5)).Should().Equal(Frames.DissectorOn);
    }

    [Test]
    public async Task Client_GetAndSetDissector_RoundTripThroughTheLibrary()
    {
        await using var harness = ServerHarness.Start();
        await using var client = await harness.ConnectClientAsync();

        (await client.GetDissectorAsync()).Should().BeFalse();
        (await client.SetDissectorAsync(true)).Should().BeTrue();
        (await client.GetDissectorAsync()).Should().BeTrue();
        (await client.SetDissectorAsync(false)).Should().BeFalse();
        harness.Backend.DissectorEnabled.Should().BeFalse();
    }
}
