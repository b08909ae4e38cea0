using System.Buffers;
using static Mcp.Protocol.Tests.Support.Sequences;

namespace Mcp.Protocol.Tests;

/// <summary>The limits extension (docs/mcp-protocol.md §13.1-§13.3) byte for byte: every request and response, malformed ones, paging.</summary>
public class McpExtensionCodecTests
{
    // alice, limits sessions 2, up 0x0100000 (1 MiB/s), down 0, quota 0x0C80000000 (50 GiB) per month.
    private static readonly McpUserLimits AliceLimits = new(2, 0x100000, 0, 0xC80000000, McpQuotaPeriod.Month);

    private const string AliceLimitsHex = "00000002 0000000000100000 0000000000000000 0000000C80000000 02";

    private static readonly byte[] Alice = "alice"u8.ToArray();

    private static McpRequest ReadRequest(byte[] frame)
    {
        var buffer = Single(frame);
        McpRequestReader.TryRead(ref buffer, out var request, out _).Should().Be(OperationStatus.Done);
        buffer.Length.Should().Be(0);
        return request;
    }

    private static McpResponse ReadResponse(byte[] frame, McpCommand command)
    {
        var buffer = Single(frame);
        McpResponseReader.TryRead(ref buffer, command, out var response, out _).Should().Be(OperationStatus.Done);
        buffer.Length.Should().Be(0);
        return response;
    }

    private static byte[] Write(in McpRequest request)
    {
        var output = new ArrayBufferWriter<byte>();
        McpRequestWriter.Write(request, output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Write(in McpResponse response)
    {
        var output = new ArrayBufferWriter<byte>();
        McpResponseWriter.Write(response, output);
        return output.WrittenSpan.ToArray();
    }

    private static McpUserStatsEntry Entry(string name, uint active = 1) => new(
        System.Text.Encoding.UTF8.GetBytes(name), active, 7, 1000, 2000, 1_764_000_000_000, 3, AliceLimits, 3000);

    // Entry of alice: ULEN 05, "alice", ACTIVE 1, SESSIONS 7, UP 1000, DOWN 2000, LAST_LOGIN 1764000000000, DENIALS 3, limits, QUOTA_USED 3000.
    private const string AliceEntryHex =
        "05 616C696365 00000001 0000000000000007 00000000000003E8 00000000000007D0 0000019AB697E800 0000000000000003 "
        + AliceLimitsHex + " 0000000000000BB8";

    [Test]
    public void UserStatsRequest_IsLen1Start()
    {
        Write(McpExtensionCodec.UserStatsRequest(3)).Should().Equal(Hex("01 80 0001 03"));
        McpExtensionCodec.TryReadUserStatsRequest(ReadRequest(Hex("01 80 0001 03")), out var start, out _).Should().BeTrue();
        start.Should().Be(3);
    }

    [TestCase("01 80 0000", TestName = "USER_STATS LEN 0")]
    [TestCase("01 80 0002 0000", TestName = "USER_STATS LEN 2")]
    public void UserStatsRequest_BadLength_IsMalformed(string frame)
    {
        McpExtensionCodec.TryReadUserStatsRequest(ReadRequest(Hex(frame)), out _, out var problem).Should().BeFalse();
        problem.Should().StartWith("USER_STATS takes LEN 1 (START), but LEN is ");
    }

    [Test]
    public void UserStatsResponse_OneEntry_ByteForByte()
    {
        var bytes = Write(McpExtensionCodec.UserStatsResponse(1, 0, [Entry("alice")]));

        bytes.Should().Equal(Hex("01 00 005A 01 00 01 " + AliceEntryHex), "LEN = 3 + 1 + 5 + 81 = 0x5A");
        McpExtensionCodec.TryReadUserStatsResponse(ReadResponse(bytes, McpCommand.UserStats), out var page, out _).Should().BeTrue();
        page.Total.Should().Be(1);
        page.Start.Should().Be(0);
        page.IsLast.Should().BeTrue();
        var entry = page.Entries.Single();
        entry.Username.ToArray().Should().Equal(Alice);
        (entry.ActiveSessions, entry.Sessions, entry.BytesUp, entry.BytesDown, entry.LastLogin, entry.Denials, entry.QuotaUsed)
            .Should().Be((1u, 7ul, 1000ul, 2000ul, 1_764_000_000_000ul, 3ul, 3000ul));
        entry.Limits.Should().Be(AliceLimits);
    }

    [Test]
    public void UserStatsResponse_NoUsers_Is000000()
    {
        Write(McpExtensionCodec.UserStatsResponse(0, 0, [])).Should().Equal(Hex("01 00 0003 00 00 00"));
        McpExtensionCodec.TryReadUserStatsResponse(ReadResponse(Hex("01 00 0003 00 00 00"), McpCommand.UserStats), out var page, out _).Should().BeTrue();
        page.Entries.Should().BeEmpty();
        page.IsLast.Should().BeTrue();
    }

    [TestCase("01 00 0002 0100", "at least 3 bytes", TestName = "USER_STATS response LEN 2")]
    [TestCase("01 00 0003 01 01 01", "runs past TOTAL", TestName = "USER_STATS START+COUNT past TOTAL")]
    [TestCase("01 00 0003 01 00 01", "entry 0 of 1 is missing", TestName = "USER_STATS entry missing")]
    [TestCase("01 00 0004 01 00 01 00", "ULEN is 0", TestName = "USER_STATS entry ULEN 0")]
    [TestCase("01 00 000A 01 00 01 05 616C696365 00", "truncated", TestName = "USER_STATS entry truncated")]
    public void UserStatsResponse_Malformed_IsRefused(string frame, string reason)
    {
        McpExtensionCodec.TryReadUserStatsResponse(ReadResponse(Hex(frame), McpCommand.UserStats), out _, out var problem).Should().BeFalse();
        problem.Should().Contain(reason);
    }

    [Test]
    public void UserStatsResponse_BytesLeftOver_IsRefused()
    {
        var frame = Hex("01 00 005B 01 00 01 " + AliceEntryHex + " FF");

        McpExtensionCodec.TryReadUserStatsResponse(ReadResponse(frame, McpCommand.UserStats), out _, out var problem).Should().BeFalse();

        problem.Should().Be("The USER_STATS payload holds 1 bytes after its 1 entries.");
    }

    [Test]
    public void UserStatsResponse_EntryWithBadPeriod_IsRefused()
    {
        var frame = Hex("01 00 005A 01 00 01 " + AliceEntryHex.Replace("0000000C80000000 02", "0000000C80000000 03", StringComparison.Ordinal));

        McpExtensionCodec.TryReadUserStatsResponse(ReadResponse(frame, McpCommand.UserStats), out _, out var problem).Should().BeFalse();

        problem.Should().Be("USER_STATS entry 0: PERIOD 0x03 is not 0x00, 0x01 or 0x02.");
    }

    [Test]
    public void FleetUserStatsRequest_IsLen1Start_UnderCmd85()
    {
        Write(McpExtensionCodec.FleetUserStatsRequest(3)).Should().Equal(Hex("01 85 0001 03"));
        var request = ReadRequest(Hex("01 85 0001 03"));
        request.Command.Should().Be(McpCommand.FleetUserStats);
        request.IsKnownCommand.Should().BeFalse("an extension with a raw payload, as USER_STATS");
        request.IsExtensionCommand.Should().BeTrue();
        McpExtensionCodec.TryReadUserStatsRequest(request, out var start, out _).Should().BeTrue();
        start.Should().Be(3);
    }

    [TestCase("01 85 0000", TestName = "FLEET_USER_STATS LEN 0")]
    [TestCase("01 85 0002 0000", TestName = "FLEET_USER_STATS LEN 2")]
    public void FleetUserStatsRequest_BadLength_IsMalformed(string frame)
    {
        McpExtensionCodec.TryReadUserStatsRequest(ReadRequest(Hex(frame)), out _, out var problem).Should().BeFalse();
        problem.Should().StartWith("FLEET_USER_STATS takes LEN 1 (START), but LEN is ");
    }

    [Test]
    public void FleetUserStatsResponse_OneEntry_ByteForByte_SameLayoutAsUserStats()
    {
        var bytes = Write(McpExtensionCodec.FleetUserStatsResponse(1, 0, [Entry("alice")]));

        bytes.Should().Equal(Hex("01 00 005A 01 00 01 " + AliceEntryHex), "the entries of §13.1: LEN = 3 + 1 + 5 + 81 = 0x5A");
        var response = ReadResponse(bytes, McpCommand.FleetUserStats);
        response.Command.Should().Be(McpCommand.FleetUserStats);
        McpExtensionCodec.TryReadUserStatsResponse(response, out var page, out _).Should().BeTrue();
        (page.Total, page.Start, page.IsLast).Should().Be(((byte)1, (byte)0, true));
        var entry = page.Entries.Single();
        entry.Username.ToArray().Should().Equal(Alice);
        (entry.ActiveSessions, entry.Sessions, entry.BytesUp, entry.BytesDown, entry.LastLogin, entry.Denials, entry.QuotaUsed)
            .Should().Be((1u, 7ul, 1000ul, 2000ul, 1_764_000_000_000ul, 3ul, 3000ul));
        entry.Limits.Should().Be(AliceLimits);
    }

    [Test]
    public void FleetUserStatsResponse_TwoEntriesSecondPage_ByteForByte()
    {
        var bob = new McpUserStatsEntry("bob"u8.ToArray(), 0, 0, 0, 0, 0, 0, default, 0);
        var bytes = Write(McpExtensionCodec.FleetUserStatsResponse(3, 1, [Entry("alice"), bob]));

        bytes.Should().Equal(Hex("01 00 00AF 03 01 02 " + AliceEntryHex + " 03 626F62" + string.Concat(Enumerable.Repeat(" 00", 81))),
            "LEN = 3 + (1 + 5 + 81) + (1 + 3 + 81) = 0xAF");
        McpExtensionCodec.TryReadUserStatsResponse(ReadResponse(bytes, McpCommand.FleetUserStats), out var page, out _).Should().BeTrue();
        page.Entries.Select(e => System.Text.Encoding.UTF8.GetString(e.Username.Span)).Should().Equal("alice", "bob");
        page.IsLast.Should().BeTrue();
    }

    [Test]
    public void FleetUserStatsResponse_NoUsers_Is000000()
    {
        Write(McpExtensionCodec.FleetUserStatsResponse(0, 0, [])).Should().Equal(Hex("01 00 0003 00 00 00"));
        McpExtensionCodec.TryReadUserStatsResponse(ReadResponse(Hex("01 00 0003 00 00 00"), McpCommand.FleetUserStats), out var page, out _).Should().BeTrue();
        page.Entries.Should().BeEmpty();
    }

    [TestCase("01 00 0002 0100", "A successful FLEET_USER_STATS response carries at least 3 bytes", TestName = "FLEET_USER_STATS response LEN 2")]
    [TestCase("01 00 0003 01 01 01", "FLEET_USER_STATS page START 1 + COUNT 1 runs past TOTAL 1", TestName = "FLEET_USER_STATS START+COUNT past TOTAL")]
    [TestCase("01 00 0003 01 00 01", "FLEET_USER_STATS entry 0 of 1 is missing", TestName = "FLEET_USER_STATS entry missing")]
    [TestCase("01 00 0004 01 00 01 00", "FLEET_USER_STATS entry 0: ULEN is 0", TestName = "FLEET_USER_STATS entry ULEN 0")]
    [TestCase("01 00 000A 01 00 01 05 616C696365 00", "FLEET_USER_STATS entry 0 is truncated", TestName = "FLEET_USER_STATS entry truncated")]
    public void FleetUserStatsResponse_Malformed_IsRefused(string frame, string reason)
    {
        McpExtensionCodec.TryReadUserStatsResponse(ReadResponse(Hex(frame), McpCommand.FleetUserStats), out _, out var problem).Should().BeFalse();
        problem.Should().StartWith(reason);
    }

    [Test]
    public void FleetUserStatsResponse_BytesLeftOverOrBadPeriod_IsRefused()
    {
        var leftOver = Hex("01 00 005B 01 00 01 " + AliceEntryHex + " FF");
        var badPeriod = Hex("01 00 005A 01 00 01 " + AliceEntryHex.Replace("0000000C80000000 02", "0000000C80000000 03", StringComparison.Ordinal));

        McpExtensionCodec.TryReadUserStatsResponse(ReadResponse(leftOver, McpCommand.FleetUserStats), out _, out var first).Should().BeFalse();
        McpExtensionCodec.TryReadUserStatsResponse(ReadResponse(badPeriod, McpCommand.FleetUserStats), out _, out var second).Should().BeFalse();

        first.Should().Be("The FLEET_USER_STATS payload holds 1 bytes after its 1 entries.");
        second.Should().Be("FLEET_USER_STATS entry 0: PERIOD 0x03 is not 0x00, 0x01 or 0x02.");
    }

    [Test]
    public void FleetUserStatsResponse_NotSupported_HasNoPayload()
    {
        var response = ReadResponse(Hex("01 02 0000"), McpCommand.FleetUserStats);

        response.Status.Should().Be(McpStatus.CommandNotSupported);
        response.Payload.IsEmpty.Should().BeTrue();
        McpNames.GetName(McpCommand.FleetUserStats).Should().Be("FLEET_USER_STATS");
    }

    [Test]
    public void UserStatsPageCount_255LongNames_TwoPagesOfWholeEntries()
    {
        // 255 users of 255-byte names: 337 bytes each, (65535 - 3) / 337 = 194 in the first page.
        var users = Enumerable.Range(0, 255).Select(i => new McpUserStatsEntry(Enumerable.Repeat((byte)i, 255).ToArray(), 0, 0, 0, 0, 0, 0, default, 0)).ToList();

        var first = McpExtensionCodec.UserStatsPageCount(users, 0);
        var second = McpExtensionCodec.UserStatsPageCount(users, first);

        first.Should().Be(194);
        second.Should().Be(255 - 194);
        var page = Write(McpExtensionCodec.UserStatsResponse(255, 0, users.Take(first).ToList()));
        page.Length.Should().Be(4 + 3 + (194 * 337));
        page.Length.Should().BeLessThanOrEqualTo(4 + 65535);
        var tooMany = () => McpExtensionCodec.UserStatsResponse(255, 0, users.Take(first + 1).ToList());
        tooMany.Should().Throw<ArgumentException>();
    }

    [Test]
    public void GetLimits_RequestAndResponse_ByteForByte()
    {
        Write(McpExtensionCodec.GetLimitsRequest(Alice)).Should().Equal(Hex("01 81 0006 05 616C696365"));
        McpExtensionCodec.TryReadGetLimitsRequest(ReadRequest(Hex("01 81 0006 05 616C696365")), out var name, out _).Should().BeTrue();
        name.ToArray().Should().Equal(Alice);

        var response = Write(McpExtensionCodec.GetLimitsResponse(AliceLimits, 3000));
        response.Should().Equal(Hex("01 00 0025 " + AliceLimitsHex + " 0000000000000BB8"), "LEN = 37");
        McpExtensionCodec.TryReadGetLimitsResponse(ReadResponse(response, McpCommand.GetLimits), out var limits, out var used, out _).Should().BeTrue();
        limits.Should().Be(AliceLimits);
        used.Should().Be(3000);
    }

    [TestCase("01 81 0000", "GET_LIMITS needs ULEN and USERNAME, but LEN is 0.", TestName = "GET_LIMITS LEN 0")]
    [TestCase("01 81 0001 00", "ULEN is 0; user names are 1 to 255 bytes.", TestName = "GET_LIMITS ULEN 0")]
    [TestCase("01 81 0002 05 61", "ULEN 5 runs past the end of the 2-byte GET_LIMITS payload.", TestName = "GET_LIMITS ULEN past LEN")]
    [TestCase("01 81 0003 01 61 62", "The GET_LIMITS payload holds 1 bytes after the user name.", TestName = "GET_LIMITS trailing byte")]
    public void GetLimitsRequest_Malformed_IsRefused(string frame, string expected)
    {
        McpExtensionCodec.TryReadGetLimitsRequest(ReadRequest(Hex(frame)), out _, out var problem).Should().BeFalse();
        problem.Should().Be(expected);
    }

    [TestCase("01 00 0024 " + AliceLimitsHex + " 00000000000000", "carries 37 bytes, but LEN is 36", TestName = "GET_LIMITS response LEN 36")]
    [TestCase("01 00 0025 00000002 0000000000100000 0000000000000000 0000000000000000 02 0000000000000000", "PERIOD is set but QUOTA is 0.", TestName = "GET_LIMITS response period without quota")]
    public void GetLimitsResponse_Malformed_IsRefused(string frame, string reason)
    {
        McpExtensionCodec.TryReadGetLimitsResponse(ReadResponse(Hex(frame), McpCommand.GetLimits), out _, out _, out var problem).Should().BeFalse();
        problem.Should().Contain(reason);
    }

    [Test]
    public void SetLimits_RequestAndResponse_ByteForByte()
    {
        var request = Write(McpExtensionCodec.SetLimitsRequest(Alice, AliceLimits));

        request.Should().Equal(Hex("01 82 0023 05 616C696365 " + AliceLimitsHex), "LEN = 1 + 5 + 29 = 0x23");
        McpExtensionCodec.TryReadSetLimitsRequest(ReadRequest(request), out var name, out var limits, out _).Should().BeTrue();
        name.ToArray().Should().Equal(Alice);
        limits.Should().Be(AliceLimits);
        Write(McpExtensionCodec.SetLimitsResponse()).Should().Equal(Hex("01 00 0000"));
        McpExtensionCodec.TryReadSetLimitsResponse(ReadResponse(Hex("01 00 0000"), McpCommand.SetLimits), out _).Should().BeTrue();
        McpExtensionCodec.TryReadSetLimitsResponse(ReadResponse(Hex("01 00 0001 00"), McpCommand.SetLimits), out var problem).Should().BeFalse();
        problem.Should().Be("A successful SET_LIMITS response is empty, but LEN is 1.");
    }

    [TestCase("01 82 0022 05 616C696365 00000002 0000000000100000 0000000000000000 0000000C80000000", "takes LEN 35, but LEN is 34", TestName = "SET_LIMITS short")]
    [TestCase("01 82 0023 05 616C696365 00000000 0000000000000000 0000000000000000 0000000C80000000 03", "PERIOD 0x03 is not 0x00, 0x01 or 0x02.", TestName = "SET_LIMITS PERIOD 3")]
    [TestCase("01 82 0023 05 616C696365 00000000 0000000000000000 0000000000000000 0000000C80000000 00", "QUOTA is set but PERIOD is 0x00 (none).", TestName = "SET_LIMITS quota without period")]
    [TestCase("01 82 0023 05 616C696365 00000000 0000000000000000 0000000000000000 0000000000000000 01", "PERIOD is set but QUOTA is 0.", TestName = "SET_LIMITS period without quota")]
    [TestCase("01 82 001E 00 00000000 0000000000000000 0000000000000000 0000000000000000 00", "ULEN is 0", TestName = "SET_LIMITS ULEN 0")]
    public void SetLimitsRequest_Malformed_IsRefused(string frame, string reason)
    {
        McpExtensionCodec.TryReadSetLimitsRequest(ReadRequest(Hex(frame)), out _, out _, out var problem).Should().BeFalse();
        problem.Should().Contain(reason);
    }

    [Test]
    public void SetLimitsRequest_InvalidLimits_ThrowsBeforeSending()
    {
        var act = () => McpExtensionCodec.SetLimitsRequest(Alice, new McpUserLimits(0, 0, 0, 5, McpQuotaPeriod.None));

        act.Should().Throw<ArgumentException>();
    }

    [Test]
    public void ExtensionRequest_SplitAcrossSegments_NeedsMoreDataThenReadsSame()
    {
        var frame = Hex("01 82 0023 05 616C696365 " + AliceLimitsHex);
        for (var cut = 0; cut < frame.Length; cut++)
        {
            var prefix = Single(frame[..cut]);
            McpRequestReader.TryRead(ref prefix, out _, out _).Should().Be(OperationStatus.NeedMoreData, "prefix of {0} bytes", cut);
            prefix.Length.Should().Be(cut, "nothing consumed");
        }

        var split = OneBytePerSegmentWithEmptySegments(frame);
        McpRequestReader.TryRead(ref split, out var request, out _).Should().Be(OperationStatus.Done);
        request.IsExtensionCommand.Should().BeTrue();
        request.IsKnownCommand.Should().BeFalse("the memo does not define it");
        request.Payload.ToArray().Should().Equal(frame[4..]);
    }

    [Test]
    public void ExtensionResponse_NonOk_HasNoPayload()
    {
        var response = ReadResponse(Hex("01 02 0000"), McpCommand.UserStats);

        response.Status.Should().Be(McpStatus.CommandNotSupported);
        response.Payload.IsEmpty.Should().BeTrue();
    }

    [Test]
    public void Extension_OutsideRange_Throws()
    {
        var request = () => McpRequest.Extension((McpCommand)0x7F, ReadOnlyMemory<byte>.Empty);
        var unsupported = () => McpRequest.Extension((McpCommand)0xFF, ReadOnlyMemory<byte>.Empty);

        request.Should().Throw<ArgumentException>();
        unsupported.Should().Throw<ArgumentException>();
        McpNames.GetName(McpCommand.UserStats).Should().Be("USER_STATS");
        McpNames.GetName(McpCommand.GetLimits).Should().Be("GET_LIMITS");
        McpNames.GetName(McpCommand.SetLimits).Should().Be("SET_LIMITS");
    }
}
